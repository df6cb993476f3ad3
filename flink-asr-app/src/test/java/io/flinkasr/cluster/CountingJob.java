package io.flinkasr.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A small streaming job for {@link FlinkProcessClusterITCase}, submitted in a job jar: numbers from a
 * rate-limited DataGen source, keyed by {@code n % keys}, counted per key in keyed state, and written as
 * {@code "key,count"} (Kafka key = key) to a topic by an exactly-once KafkaSink. With exactly-once, the
 * committed counts of each key are 1, 2, 3, ... without a gap or a repeat, however often the job restarts.
 *
 * <p>Arguments: bootstrap servers, topic, number of keys, records per second (whole job). Parallelism,
 * checkpointing and restarts come from the cluster configuration.
 */
public final class CountingJob {
    private CountingJob() {}

    public static void main(String[] args) throws Exception {
        String bootstrapServers = args[0];
        String topic = args[1];
        int keys = Integer.parseInt(args[2]);
        double perSecond = Double.parseDouble(args[3]);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataGeneratorSource<Long> numbers = new DataGeneratorSource<>(
                index -> index, Long.MAX_VALUE, RateLimiterStrategy.perSecond(perSecond), Types.LONG);

        Properties producer = new Properties();
        producer.setProperty("transaction.timeout.ms", "60000"); // below the broker's 15 min maximum
        KafkaSink<String> counts = KafkaSink.<String>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(producer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("counting-job")
                .setRecordSerializer(KafkaRecordSerializationSchema.<String>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(
                                line -> line.substring(0, line.indexOf(',')).getBytes(StandardCharsets.UTF_8))
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build())
                .build();

        env.fromSource(numbers, WatermarkStrategy.noWatermarks(), "Numbers").uid("numbers")
                .keyBy(n -> n % keys, Types.LONG)
                .process(new Count()).uid("count").name("Count")
                .sinkTo(counts).uid("counts").name("Counts");
        env.execute("counting-job");
    }

    /** Counts the records of each key; emits "key,count". */
    static final class Count extends KeyedProcessFunction<Long, Long, String> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(Long value, Context ctx, Collector<String> out) throws Exception {
            long next = (count.value() == null ? 0 : count.value()) + 1;
            count.update(next);
            out.collect(ctx.getCurrentKey() + "," + next);
        }
    }
}
