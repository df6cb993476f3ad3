package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import io.flinkasr.records.Json;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's headless Chromium, driven by Selenium through chromedriver)
 * against the real local stack: embedded Kafka, the Flink job on a MiniCluster with the Vosk model, the
 * API. It checks what a person sees: a tenant signs in, submits a job through the API and watches it
 * appear, move and finish, then reads its transcript and its chunks; another tenant sees nothing of it; a
 * wrong key is refused; an operator sees every tenant; this machine sees the first key's jobs unsigned.
 *
 * <p>The browser reaches the API as {@code dashboard.test} (Chromium maps the name to 127.0.0.1): a
 * connection from loopback whose Host is not this machine's name, as through a proxy or a DNS-rebinding
 * page, so it must sign in; as {@code 127.0.0.1} it is this machine, trusted like unsigned API calls.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardITCase {
    private static final AccessKey A = new AccessKey(1234562230123456L, "LTAIkeyOfTenantA", "secretOfTenantA");
    private static final AccessKey B = new AccessKey(7654321000000001L, "LTAIkeyOfTenantB", "secretOfTenantB");
    private static final AccessKey OPERATOR = operator();
    private static final String TITLE = "Inaugural address, four times";
    private static final Duration SHORT = Duration.ofSeconds(30);
    /** An Executing job's progress as the table shows it: "Executing 42.9% · 3/7 chunks" (or "3 chunks (cutting)"). */
    private static final Pattern PART_DONE = Pattern.compile("^Executing ([0-9.]+)% · ([0-9]+)[ /]");

    @TempDir static Path tmp;
    private LocalStack stack;
    private WebDriver browser;
    private String remote;
    private String local;
    private String jobId;

    private static AccessKey operator() {
        AccessKey key = new AccessKey(42L, "LTAIkeyOfTheOperator", "secretOfTheOperator");
        key.role = AccessKey.OPERATOR;
        return key;
    }

    @BeforeAll
    void start() throws Exception {
        Path users = tmp.resolve("users.json");
        Files.write(users, Json.MAPPER.writeValueAsBytes(List.of(A, B, OPERATOR)));
        Path media = Files.createDirectories(tmp.resolve("media"));
        Configuration config = TestStacks.atParallelismTwo(media);
        // short chunks, so that the job's progress moves in steps a person can see
        config.set(AsrOptions.CHUNK_MAX_SECONDS, 8.0);
        config.set(AsrOptions.CHUNK_LONGEST_SECONDS, 8.0);
        config.set(AsrOptions.CHUNK_MIN_SECONDS, 5.0);
        stack = LocalStack.start(config, tmp.resolve("data"), 0, users);
        int port = URI.create(stack.apiUrl()).getPort();
        remote = "http://dashboard.test:" + port + "/";
        local = "http://127.0.0.1:" + port + "/";

        String chromium = System.getProperty("flinkasr.chromium", "/usr/bin/chromium");
        String chromedriver = System.getProperty("flinkasr.chromedriver", "/usr/bin/chromedriver");
        assertThat(Path.of(chromium)).as("Debian's chromium package (see .ci/run)").isExecutable();
        assertThat(Path.of(chromedriver)).as("Debian's chromium-driver package (see .ci/run)").isExecutable();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,2300",
                "--no-proxy-server", "--host-resolver-rules=MAP dashboard.test 127.0.0.1");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver)).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void aBrowserAtTheRootGetsTheDashboardWhileIceCallsThereAreAnsweredAsBefore() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(local)).header("Accept", "text/html").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location")).hasValue("dashboard/");

        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(local + "?Action=ListSmartJobs"))
                .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(list.body()).has("SmartJobList")).isTrue();

        HttpResponse<String> bare = http.send(HttpRequest.newBuilder(URI.create(local)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(Json.MAPPER.readTree(bare.body()).path("Code").asText()).isEqualTo("MissingParameter");

        HttpResponse<String> html = http.send(HttpRequest.newBuilder(URI.create(local + "dashboard/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("script-src 'self'"));

        // a form of another site cannot sign a browser in
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(local + "dashboard/api/session"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("accessKeyId=" + A.accessKeyId + "&accessKeySecret=" + A.accessKeySecret))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(415);
        assertThat(forged.headers().firstValue("Set-Cookie")).isEmpty();
        HttpResponse<String> elsewhere = http.send(HttpRequest.newBuilder(URI.create(local + "dashboard/api/session"))
                .header("Content-Type", "application/json").header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(
                        Map.of("accessKeyId", A.accessKeyId, "accessKeySecret", A.accessKeySecret))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(elsewhere.statusCode()).isEqualTo(403);
        assertThat(elsewhere.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    @Order(2)
    void aSignedInTenantWatchesItsJobAppearMoveAndFinishThenReadsItsTranscriptAndChunks() throws Exception {
        browser.get(remote);
        waitFor(() -> browser.getCurrentUrl().endsWith("/dashboard/") && visible("sign-in") && !visible("content"));
        signIn(A.accessKeyId, A.accessKeySecret);
        waitFor(() -> text("viewer").contains("Signed in as " + A.accessKeyId));

        jobId = new ApiClient(stack.apiUrl(), A).call("SubmitASRJob",
                Map.of("InputFile", fourTimesJfk().toString(), "Title", TITLE)).path("JobId").asText();

        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        String shown = "";
        while (!shown.startsWith("Finished") && !shown.startsWith("Failed") && System.nanoTime() < deadline) {
            shown = row(jobId);
            if (!shown.isEmpty() && (seen.isEmpty() || !seen.get(seen.size() - 1).equals(shown))) {
                seen.add(shown);
            }
            Thread.sleep(100);
        }
        assertThat(seen).as("what the jobs table showed, in turn").isNotEmpty();
        assertThat(seen.get(seen.size() - 1)).as("%s", seen).startsWith("Finished").contains("100%").contains(TITLE);
        assertThat(seen).as("the job showed part of its chunks done before it finished: %s", seen).anySatisfy(s -> {
            Matcher part = PART_DONE.matcher(s);
            assertThat(part.find()).isTrue();
            assertThat(Double.parseDouble(part.group(1))).isLessThan(100);
            assertThat(Integer.parseInt(part.group(2))).isPositive();
        });

        browser.findElement(By.cssSelector("#jobs tbody tr[data-job-id='" + jobId + "'] td.title")).click();
        waitFor(() -> visible("job-detail") && text("detail-state").equals("Finished"));
        waitFor(() -> text("segments").toLowerCase().contains("country"));
        assertThat(text("detail-title")).isEqualTo(TITLE);
        assertThat(text("detail-took")).contains("real-time factor");
        Set<String> subtasks = new HashSet<>();
        for (WebElement chunk : browser.findElements(By.cssSelector("#chunks tbody tr"))) {
            subtasks.add(chunk.findElements(By.tagName("td")).get(2).getText());
            assertThat(chunk.findElements(By.tagName("td")).get(4).getText()).as("how long its recognition took").endsWith(" s");
        }
        assertThat(subtasks).as("which recognition subtask did which chunk").containsExactlyInAnyOrder("0", "1");
        Object bars = ((JavascriptExecutor) browser).executeScript(
                "return Chart.getChart(document.getElementById('timeline-chart')).data.datasets[0].data.length");
        assertThat(((Number) bars).intValue()).as("chunks on the timeline")
                .isEqualTo(browser.findElements(By.cssSelector("#chunks tbody tr")).size());
        waitFor(() -> !text("rate").equals("–") && text("tenants").contains(String.valueOf(A.userId)));
        Path screenshot = Path.of("target", "dashboard", "dashboard.png");
        Files.createDirectories(screenshot.getParent());
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), screenshot,
                StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    @Order(3)
    void anotherTenantSeesNothingOfIt() throws Exception {
        signOut();
        signIn(B.accessKeyId, B.accessKeySecret);
        waitFor(() -> text("viewer").contains("Signed in as " + B.accessKeyId) && visible("no-jobs"));
        waitFor(() -> browser.findElements(By.cssSelector("#tenants tbody tr")).isEmpty() && text("failures").contains("none"));
        assertThat(browser.getPageSource()).doesNotContain(jobId).doesNotContain(TITLE).doesNotContain(String.valueOf(A.userId));

        browser.get(remote + "dashboard/api/jobs/" + jobId);
        assertThat(browser.findElement(By.tagName("body")).getText()).contains("InvalidParameter.JobId").doesNotContain(TITLE);
        browser.get(remote + "dashboard/api/jobs?q=" + jobId);
        assertThat(browser.findElement(By.tagName("body")).getText()).contains("\"total\":0");
    }

    @Test
    @Order(4)
    void aWrongKeyIsRefused() throws Exception {
        browser.get(remote);
        signOut();
        signIn(A.accessKeyId, "not the secret");
        waitFor(() -> text("sign-in-error").startsWith("Refused:"));
        signIn("LTAIunknown", A.accessKeySecret);
        waitFor(() -> text("sign-in-error").startsWith("Refused:"));
        assertThat(visible("content")).isFalse();
        assertThat(text("viewer")).isEqualTo("Not signed in");
        assertThat(browser.getPageSource()).doesNotContain(jobId).doesNotContain(TITLE);
        assertThat(browser.manage().getCookieNamed(Dashboard.COOKIE)).isNull();
    }

    @Test
    @Order(5)
    void anOperatorSeesEveryTenantAndTheFlinkWebUi() throws Exception {
        signIn(OPERATOR.accessKeyId, OPERATOR.accessKeySecret);
        waitFor(() -> text("viewer").contains("operator") && row(jobId).startsWith("Finished"));
        assertThat(row(jobId)).contains(String.valueOf(A.userId));
        assertThat(browser.findElement(By.id("flink-ui")).getAttribute("href")).startsWith(stack.webUi());
        assertThat(browser.manage().getCookieNamed(Dashboard.COOKIE).isHttpOnly()).isTrue();
        assertThat(browser.manage().getCookieNamed(Dashboard.COOKIE).getSameSite()).isEqualTo("Strict");
        Object readable = ((JavascriptExecutor) browser).executeScript("return document.cookie");
        assertThat((String) readable).as("the page's scripts cannot read the session").doesNotContain(Dashboard.COOKIE);
    }

    @Test
    @Order(6)
    void thisMachineSeesTheFirstKeysJobsWithoutSigningIn() throws Exception {
        signOut();
        browser.get(local);
        waitFor(() -> browser.getCurrentUrl().equals(local + "dashboard/")
                && text("viewer").contains("This machine, as " + A.accessKeyId) && row(jobId).startsWith("Finished"));
    }

    /** Four times the JFK recording in one file: 44 s of speech, cut into several chunks. */
    private Path fourTimesJfk() throws Exception {
        Path jfk = Path.of(System.getProperty("flinkasr.speech.dir", "../shared/speech")).resolve("jfk.flac");
        Path out = tmp.resolve("media").resolve("jfk-four-times.flac");
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-i", jfk.toString(), "-i", jfk.toString(),
                "-i", jfk.toString(), "-i", jfk.toString(), "-filter_complex", "concat=n=4:v=0:a=1", out.toString())
                .inheritIO().start();
        assertThat(ffmpeg.waitFor()).isZero();
        return out;
    }

    private void signIn(String accessKeyId, String secret) {
        waitFor(() -> visible("sign-in"));
        WebElement id = browser.findElement(By.id("access-key-id"));
        id.clear();
        id.sendKeys(accessKeyId);
        WebElement password = browser.findElement(By.id("access-key-secret"));
        password.clear();
        password.sendKeys(secret);
        ((JavascriptExecutor) browser).executeScript("document.getElementById('sign-in-error').textContent = ''");
        browser.findElement(By.id("sign-in-button")).click();
    }

    private void signOut() {
        if (visible("sign-out")) {
            browser.findElement(By.id("sign-out")).click();
        }
        waitFor(() -> !visible("sign-out"));
    }

    /** The job's row as it reads on the page (its cells' text, space-separated), or "" while it has none. */
    private String row(String id) {
        try {
            List<WebElement> rows = browser.findElements(By.cssSelector("#jobs tbody tr[data-job-id='" + id + "']"));
            if (rows.isEmpty() || !rows.get(0).isDisplayed()) {
                return "";
            }
            List<String> cells = new ArrayList<>();
            for (WebElement td : rows.get(0).findElements(By.tagName("td"))) {
                cells.add(td.getText().strip());
            }
            // from the State column on: State, Progress, ... (with the Created/JobId/Title/UserId columns after)
            List<String> shown = new ArrayList<>(cells.subList(4, cells.size()));
            shown.addAll(cells.subList(0, 4));
            return String.join(" ", shown);
        } catch (StaleElementReferenceException redrawn) {
            return row(id);
        } catch (WebDriverException e) {
            if (redrawn(e)) {
                return row(id);
            }
            throw e;
        }
    }

    private String text(String id) {
        try {
            return browser.findElement(By.id(id)).getText().strip();
        } catch (StaleElementReferenceException redrawn) {
            return text(id);
        } catch (WebDriverException e) {
            if (redrawn(e)) { // Chrome's other word for a stale element, found before a redraw and read after it
                return text(id);
            }
            throw e;
        }
    }

    private static boolean redrawn(WebDriverException e) {
        return String.valueOf(e.getMessage()).contains("does not belong to the document");
    }

    private boolean visible(String id) {
        try {
            return displayed(id);
        } catch (StaleElementReferenceException e) {
            return displayed(id);
        } catch (WebDriverException e) {
            if (redrawn(e)) { // found before a redraw and asked after it, as in text(): look it up again
                return displayed(id);
            }
            throw e;
        }
    }

    private boolean displayed(String id) {
        List<WebElement> found = browser.findElements(By.id(id));
        return !found.isEmpty() && found.get(0).isDisplayed();
    }

    private void waitFor(java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, SHORT).ignoring(StaleElementReferenceException.class).until(d -> condition.getAsBoolean());
    }
}
