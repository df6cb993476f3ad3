package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DashboardSessionsTest {
    private static final Instant SIGNED_IN = Instant.parse("2026-11-30T12:00:00Z");
    private static final AccessKey A = new AccessKey(1L, "LTAIkeyOfTenantA", "secretOfTenantA");

    private final DashboardSessions sessions = new DashboardSessions(Duration.ofHours(8));

    @Test
    void aSessionSpeaksForItsKeyUntilItExpiresOrSignsOut() {
        String token = sessions.open(A, SIGNED_IN);
        String other = sessions.open(A, SIGNED_IN);

        assertThat(token).isNotEqualTo(other).hasSizeGreaterThanOrEqualTo(43); // 256 random bits
        assertThat(sessions.find(token, SIGNED_IN.plus(Duration.ofHours(7)))).isSameAs(A);
        assertThat(sessions.find(token, SIGNED_IN.plus(Duration.ofHours(9)))).isNull();
        assertThat(sessions.find(other, SIGNED_IN)).isSameAs(A);
        sessions.close(other);
        assertThat(sessions.find(other, SIGNED_IN)).isNull();
        assertThat(sessions.find("made-up", SIGNED_IN)).isNull();
        assertThat(sessions.find(null, SIGNED_IN)).isNull();
    }

    @Test
    void signInAttemptsAreLimitedPerAddress() {
        for (int i = 0; i < DashboardSessions.SIGN_IN_BURST; i++) {
            sessions.attempt("192.0.2.1");
        }
        assertThatThrownBy(() -> sessions.attempt("192.0.2.1"))
                .isInstanceOfSatisfying(IceException.class, e -> assertThat(e.code()).isEqualTo("Throttling"));
        sessions.attempt("192.0.2.2"); // another address is untouched
    }
}
