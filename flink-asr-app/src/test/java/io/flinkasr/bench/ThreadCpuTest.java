package io.flinkasr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void aLiveBusyThreadIsCountedUnderItsFoldedName() throws Exception {
        ThreadCpu before = ThreadCpu.now();
        java.util.concurrent.CountDownLatch burnt = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch measured = new java.util.concurrent.CountDownLatch(1);
        Thread busy = new Thread(() -> {
            long t0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            long x = 0;
            while (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - t0 < 300_000_000L) {
                x += System.nanoTime() % 7;
            }
            burnt.countDown();
            try {
                measured.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "busy-worker-7");
        busy.start();
        burnt.await();
        Map<String, Double> spent = ThreadCpu.now().since(before);
        measured.countDown();
        busy.join();

        assertThat(spent).containsKey("busy-worker-#");
        assertThat(spent.get("busy-worker-#")).isGreaterThanOrEqualTo(0.2);
    }

    @Test
    void theDescriptionNamesTheLargestGroupsAndSumsTheRest() {
        Map<String, Double> groups = new LinkedHashMap<>();
        groups.put("Recognize chunk", 46.0);
        groups.put("C# CompilerThre", 6.3);
        groups.put("data-plane-kafk", 1.0);
        groups.put("java", 0.5);

        assertThat(ThreadCpu.describe(groups, 2))
                .isEqualTo("Recognize chunk 46.0 s, C# CompilerThre 6.3 s, other threads 1.5 s");
    }
}
