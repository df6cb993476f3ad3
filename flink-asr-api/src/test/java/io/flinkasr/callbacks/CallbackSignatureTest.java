package io.flinkasr.callbacks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CallbackSignatureTest {
    private static final String SECRET = "testSecret";
    private static final long TIMESTAMP = 1764547200L;
    private static final byte[] BODY = "{\"EventId\":\"e1\",\"State\":\"Finished\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void signsTheTimestampADotAndTheBodyWithHmacSha256() {
        // python3: hmac.new(b'testSecret', b'1764547200.' + body, hashlib.sha256).hexdigest()
        assertThat(CallbackSignature.sign(SECRET, TIMESTAMP, BODY))
                .isEqualTo("v1=c95da3f0fa51cd380b3a2792ff38527d84e6f4a166868b10d7232e99aecca5b0");
    }

    @Test
    void verifiesOnlyTheSameSecretTimestampAndBody() {
        String signature = CallbackSignature.sign(SECRET, TIMESTAMP, BODY);
        assertThat(CallbackSignature.verify(SECRET, "1764547200", signature, BODY)).isTrue();
        assertThat(CallbackSignature.verify("otherSecret", "1764547200", signature, BODY)).isFalse();
        assertThat(CallbackSignature.verify(SECRET, "1764547201", signature, BODY)).isFalse();
        assertThat(CallbackSignature.verify(SECRET, "1764547200", signature,
                "{\"EventId\":\"e1\",\"State\":\"Failed\"}".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(CallbackSignature.verify(SECRET, null, signature, BODY)).isFalse();
        assertThat(CallbackSignature.verify(SECRET, "soon", signature, BODY)).isFalse();
        assertThat(CallbackSignature.verify(SECRET, "1764547200", null, BODY)).isFalse();
    }
}
