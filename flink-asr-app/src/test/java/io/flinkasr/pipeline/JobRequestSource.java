package io.flinkasr.pipeline;

import io.flinkasr.records.JobRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The job requests of a {@link PipelineRun}, in order, from one reader (the others get no split and end at
 * once). Bounded: once the requests are out, the reader waits until every job has ended, then ends.
 */
final class JobRequestSource implements Source<JobRequest, JobRequestSource.Requests, Void> {
    private final String runId;

    JobRequestSource(String runId) {
        this.runId = runId;
    }

    /** The one split: the run's requests, of which the first {@code emitted} are out. */
    record Requests(String runId, int emitted) implements SourceSplit {
        @Override
        public String splitId() {
            return runId;
        }
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<JobRequest, Requests> createReader(SourceReaderContext context) {
        return new Reader(context);
    }

    @Override
    public SplitEnumerator<Requests, Void> createEnumerator(SplitEnumeratorContext<Requests> context) {
        return new Enumerator(context, new Requests(runId, 0));
    }

    @Override
    public SplitEnumerator<Requests, Void> restoreEnumerator(SplitEnumeratorContext<Requests> context, Void checkpoint) {
        return createEnumerator(context);
    }

    @Override
    public SimpleVersionedSerializer<Requests> getSplitSerializer() {
        return new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(Requests split) throws IOException {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (DataOutputStream out = new DataOutputStream(bytes)) {
                    out.writeUTF(split.runId());
                    out.writeInt(split.emitted());
                }
                return bytes.toByteArray();
            }

            @Override
            public Requests deserialize(int version, byte[] serialized) throws IOException {
                try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                    return new Requests(in.readUTF(), in.readInt());
                }
            }
        };
    }

    @Override
    public SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
        return new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(Void nothing) {
                return new byte[0];
            }

            @Override
            public Void deserialize(int version, byte[] serialized) {
                return null;
            }
        };
    }

    /** Gives the split to the first reader that asks; every reader then hears there are no more. */
    private static final class Enumerator implements SplitEnumerator<Requests, Void> {
        private final SplitEnumeratorContext<Requests> context;
        private Requests unassigned;

        Enumerator(SplitEnumeratorContext<Requests> context, Requests split) {
            this.context = context;
            this.unassigned = split;
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtask, String host) {
            if (unassigned != null) {
                context.assignSplit(unassigned, subtask);
                unassigned = null;
            }
            context.signalNoMoreSplits(subtask);
        }

        @Override
        public void addSplitsBack(List<Requests> splits, int subtask) {
            unassigned = splits.get(0);
        }

        @Override
        public void addReader(int subtask) {}

        @Override
        public Void snapshotState(long checkpointId) {
            return null;
        }

        @Override
        public void close() {}
    }

    private static final class Reader implements SourceReader<JobRequest, Requests> {
        private final SourceReaderContext context;
        private CompletableFuture<Void> available = new CompletableFuture<>();
        private Requests split;
        private PipelineRun run;
        private boolean noMoreSplits;

        Reader(SourceReaderContext context) {
            this.context = context;
        }

        @Override
        public void start() {
            context.sendSplitRequest();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<JobRequest> output) {
            if (split == null) {
                return noMoreSplits ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
            }
            if (split.emitted() < run.requests.size()) {
                output.collect(run.requests.get(split.emitted()));
                split = new Requests(split.runId(), split.emitted() + 1);
                return InputStatus.MORE_AVAILABLE;
            }
            if (run.allEnded().isDone()) {
                return InputStatus.END_OF_INPUT;
            }
            available = run.allEnded();
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<Requests> snapshotState(long checkpointId) {
            return split == null ? List.of() : List.of(split);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return available;
        }

        @Override
        public void addSplits(List<Requests> splits) {
            split = splits.get(0);
            run = PipelineRun.find(split.runId());
            available.complete(null);
        }

        @Override
        public void notifyNoMoreSplits() {
            noMoreSplits = true;
            available.complete(null);
        }

        @Override
        public void close() {}
    }
}
