package io.flinkasr.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The events the callbacks send and the events topic holds, against the schema the README publishes. */
class CompletionEventTest {
    private static JsonSchema schema;

    @BeforeAll
    static void readSchema() throws Exception {
        JsonNode node = Json.MAPPER.readTree(Path.of("docs", "job-event.schema.json").toFile());
        ((ObjectNode) node).remove("$schema");
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(node);
    }

    private static JobStatus ended(JobState state) {
        JobRequest request = new JobRequest();
        request.jobId = "4d6f41199dc84c8dbf2a65369c8050ea";
        request.userId = 1234567890123456L;
        request.inputFile = "/media/talk.mp3";
        request.title = "keynote";
        request.userData = "{\"NotifyAddress\":\"https://hooks.example.com/asr\",\"Order\":\"A-17\"}";
        request.createTime = 1_796_078_421_000L;
        JobStatus status = JobStatus.of(request, state, 1_796_078_424_500L);
        status.mediaSeconds = 11.0;
        if (state == JobState.Failed) {
            status.errorCode = "InputFile.NotFound";
            status.errorMessage = "The input file does not exist.";
        }
        return status;
    }

    @Test
    void finishedAndFailedEventsMatchThePublishedSchema() throws Exception {
        for (JobState state : new JobState[] {JobState.Finished, JobState.Failed}) {
            JsonNode event = Json.MAPPER.readTree(Json.bytes(CompletionEvent.of(ended(state))));
            assertThat(schema.validate(event)).as("%s event %s", state, event).isEmpty();
            assertThat(event.get("FinishTime").asText()).as("whole seconds, UTC, as ICE writes times").isEqualTo("2026-11-30T22:40:24Z");
        }
    }

    @Test
    void theSchemaRefusesWhatAReceiverMustNotSee() throws Exception {
        ObjectNode finished = (ObjectNode) Json.MAPPER.readTree(Json.bytes(CompletionEvent.of(ended(JobState.Finished))));
        assertThat(schema.validate(finished.deepCopy().put("ErrorCode", "X"))).as("an error on a Finished job").isNotEmpty();
        assertThat(schema.validate(finished.deepCopy().put("State", "Executing"))).as("a state that is not final").isNotEmpty();
        ObjectNode failed = (ObjectNode) Json.MAPPER.readTree(Json.bytes(CompletionEvent.of(ended(JobState.Failed))));
        failed.remove("ErrorCode");
        assertThat(schema.validate(failed)).as("a Failed job without its code").isNotEmpty();
    }

    @Test
    void onlyFinalStatesHaveAnEventAndItsIdIsStable() {
        assertThat(CompletionEvent.of(ended(JobState.Executing))).isNull();
        assertThat(CompletionEvent.of(ended(JobState.Finished)).eventId)
                .isEqualTo(CompletionEvent.of(ended(JobState.Finished)).eventId)
                .isNotEqualTo(CompletionEvent.of(ended(JobState.Failed)).eventId);
    }
}
