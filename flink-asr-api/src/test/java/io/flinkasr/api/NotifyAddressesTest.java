package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.media.remote.OutboundAddresses;
import io.flinkasr.media.remote.RemoteMediaSettings;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** SubmitASRJob's check of UserData.NotifyAddress: the media fetcher's SSRF policy, at submit. */
class NotifyAddressesTest {
    private static final int RECEIVER_PORT = 9443;
    private static final int OWN_PORT = 8080;
    private static final OutboundAddresses POLICY = policy();

    private static OutboundAddresses policy() {
        Configuration config = new Configuration();
        config.set(AsrOptions.HTTP_ALLOWED_ADDRESSES, List.of("127.0.0.1/32", "10.20.0.0/16"));
        config.set(AsrOptions.HTTP_ALLOWED_PORTS, List.of(80, 443, RECEIVER_PORT, OWN_PORT));
        config.set(AsrOptions.HTTP_DENIED_PORTS, List.of(OWN_PORT));
        return new OutboundAddresses(RemoteMediaSettings.from(config));
    }

    private static String userData(String address) {
        return "{\"NotifyAddress\":" + address + ",\"Order\":\"A-17\"}";
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\"http://10.1.2.3/hook\"",
        "\"http://192.168.1.1/hook\"",
        "\"http://169.254.169.254/latest/meta-data/\"",
        "\"http://100.64.0.1/hook\"",
        "\"http://127.0.0.2:9443/hook\"",
        "\"http://127.2:9443/hook\"",
        "\"http://2130706434:9443/hook\"",
        "\"http://0x7f000002:9443/hook\"",
        "\"http://[::1]:9443/hook\"",
        "\"http://[::ffff:192.168.0.1]/hook\"",
        "\"http://[fd00::1]/hook\"",
        "\"http://localhost:8080/hook\"",
        "\"http://foo.localhost.:8080/hook\"",
        "\"http://127.0.0.1:8080/?Action=ListSmartJobs\"",
        "\"http://93.184.216.34:25/hook\"",
        "\"https://127.0.0.1:22/hook\"",
        "\"ftp://93.184.216.34/hook\"",
        "\"file:///etc/passwd\"",
        "\"mns-queue-name\"",
        "\"http://user:pw@93.184.216.34/hook\"",
        "\"http://999.1.1.1/hook\"",
        "42",
        "{\"Url\":\"http://93.184.216.34/\"}"
    })
    void refusesWhatTheFetcherWouldRefuse(String address) {
        assertThatThrownBy(() -> NotifyAddresses.check(userData(address), POLICY))
                .isInstanceOfSatisfying(IceException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("InvalidParameter.NotifyAddress");
                    assertThat(e.getMessage()).startsWith("The NotifyAddress in UserData is not allowed: ");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\"https://93.184.216.34/hooks/asr?token=abc\"",
        "\"http://93.184.216.34/hook\"",
        "\"http://127.0.0.1:9443/hook\"",
        "\"http://10.20.3.4/hook\"",
        "\"https://callbacks.invalid/hook\"",
        "\"\"",
        "null"
    })
    void acceptsPublicAllowListedAndUnresolvedAddresses(String address) {
        assertThatCode(() -> NotifyAddresses.check(userData(address), POLICY)).doesNotThrowAnyException();
    }

    @Test
    void userDataWithoutANotifyAddressNeedsNoCheck() {
        assertThatCode(() -> NotifyAddresses.check("{\"Order\":\"A-17\"}", POLICY)).doesNotThrowAnyException();
        assertThatCode(() -> NotifyAddresses.check(null, POLICY)).doesNotThrowAnyException();
    }
}
