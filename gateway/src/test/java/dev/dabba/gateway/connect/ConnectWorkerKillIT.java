package dev.dabba.gateway.connect;

import static dev.dabba.gateway.testing.KafkaTopicReader.header;
import static dev.dabba.gateway.testing.KafkaTopicReader.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.clock.NodeId;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.FreePorts;
import dev.dabba.embedded.TopicSpec;
import dev.dabba.gateway.testing.Batches;
import dev.dabba.gateway.testing.ConnectRest;
import dev.dabba.gateway.testing.ConnectWorkers;
import dev.dabba.gateway.testing.MqttPublisher;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.MqttTopics;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway plugin, packaged as the uber-jar operators install, on a Kafka Connect worker in a child JVM that is
 * killed with SIGKILL in the middle of a stream and replaced by a new worker: every record reaches Kafka, and the
 * records written twice are byte-for-byte the same with the same event id.
 */
class ConnectWorkerKillIT {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String CONNECTOR = "dabba-mqtt-source";
    private static final String RECORDS_TOPIC = "kill-it-records";
    private static final String DLQ_TOPIC = "kill-it-dead-letters";

    private static EmbeddedMqttBroker broker;
    private static EmbeddedKafka kafka;
    private static Path work;

    @BeforeAll
    static void start() throws IOException {
        broker = EmbeddedMqttBroker.start();
        kafka = EmbeddedKafka.start();
        kafka.createTopics(TopicSpec.of(RECORDS_TOPIC, 3), TopicSpec.of(DLQ_TOPIC, 1));
        work = Files.createDirectories(Paths.get("target", "connect-kill-it"));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void killMinus9InTheMiddleOfAStream_thenANewWorker_everyRecordIsInKafka_duplicatesCarryTheSameEventId()
            throws Exception {
        MqttTopics topics = new MqttTopics("dabba-kill-it");
        List<Batches.Encoded> batches = new ArrayList<>();
        for (String tower : List.of("MUMBAI_BKC", "MUMBAI_ANDHERI", "MUMBAI_BANDRA", "MUMBAI_DADAR")) {
            batches.addAll(Batches.stream(NodeId.of(tower), 100, 100));
        }
        Set<String> expected = batches.stream().flatMap(b -> b.eventIds().stream()).collect(Collectors.toSet());
        Path plugins = installPlugin();

        Worker first = startWorker(plugins, "worker-1");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "kill-it-publisher", 8)) {
            ConnectRest rest = awaitRest(first);
            Map<String, String> config = ConnectWorkers.source(broker.uri(), topics.root(), "kill-it", 2,
                    RECORDS_TOPIC, DLQ_TOPIC);
            config.put("mqtt.receive.maximum", "32");
            assertThat(rest.putConnector(CONNECTOR, config).status()).isIn(200, 201);
            await().atMost(WAIT).until(() -> rest.status(CONNECTOR), s -> s.equals("RUNNING [RUNNING, RUNNING]"));

            // The first half streams in while the worker runs; the second half is published after the kill, so the
            // kill always falls in the middle of the stream whatever the machine's speed.
            List<Batches.Encoded> firstHalf = batches.subList(0, batches.size() / 2);
            List<Batches.Encoded> secondHalf = batches.subList(batches.size() / 2, batches.size());
            Future<?> publishing = pool.submit(() -> {
                for (Batches.Encoded b : firstHalf) {
                    publisher.publishAsync(topics.records(b.origin()), b.payload());
                }
                return null;
            });
            await().atMost(WAIT).until(() -> readAll(kafka.bootstrapServers(), RECORDS_TOPIC).size() >= 8_000);
            first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no final commit, no PUBACK
            assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            publishing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            for (Batches.Encoded b : secondHalf) {
                publisher.publishAsync(topics.records(b.origin()), b.payload());
            }
            publisher.awaitAcknowledged(WAIT);
            int beforeRestart = readAll(kafka.bootstrapServers(), RECORDS_TOPIC).size();
            assertThat(beforeRestart).as("the second half waits in the broker for the new worker")
                    .isLessThan(expected.size());

            Worker second = startWorker(plugins, "worker-2");
            try {
                ConnectRest rest2 = awaitRest(second);
                await().atMost(WAIT).until(() -> rest2.status(CONNECTOR),
                        s -> s.equals("RUNNING [RUNNING, RUNNING]"));
                await().atMost(WAIT).untilAsserted(() ->
                        assertThat(readAll(kafka.bootstrapServers(), RECORDS_TOPIC).stream()
                                .map(r -> header(r, KafkaTopics.HEADER_EVENT_ID)).collect(Collectors.toSet()))
                                .containsExactlyInAnyOrderElementsOf(expected));
            } finally {
                second.process().destroy();
                second.process().waitFor(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            first.process().destroyForcibly();
        }
        List<ConsumerRecord<byte[], byte[]>> inKafka = readAll(kafka.bootstrapServers(), RECORDS_TOPIC);
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = inKafka.stream()
                .collect(Collectors.groupingBy(r -> header(r, KafkaTopics.HEADER_EVENT_ID)));
        assertThat(byId.keySet()).isEqualTo(expected);
        byId.values().forEach(copies -> copies.forEach(c -> {
            assertThat(c.value()).isEqualTo(copies.get(0).value());
            assertThat(c.key()).isEqualTo(copies.get(0).key());
        }));
        assertThat(readAll(kafka.bootstrapServers(), DLQ_TOPIC)).isEmpty();
        System.out.printf("kill -9: %d records in Kafka for %d unique (%d duplicates)%n", inKafka.size(),
                expected.size(), inKafka.size() - expected.size());
    }

    /** A plugin.path directory with the gateway's Connect uber-jar, as an operator installs it. */
    private static Path installPlugin() throws IOException {
        String jar = System.getProperty("dabba.gateway.pluginJar");
        assertThat(jar).as("system property dabba.gateway.pluginJar (set by the POM; run through Maven verify)")
                .isNotNull();
        Path source = Paths.get(jar);
        assertThat(source).as("the plugin jar, built in the package phase").exists();
        Path dir = Files.createDirectories(work.resolve("plugins"));
        Files.copy(source, dir.resolve("dabba-gateway-connect-plugin.jar"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    /**
     * {@code ConnectDistributed} in a child JVM, on the test's class path minus the gateway and what the plugin jar
     * bundles, so that the connector can only come from the plugin directory.
     */
    private record Worker(Process process, int port, String name) {
    }

    private static Worker startWorker(Path plugins, String name) throws IOException {
        int port = FreePorts.pick();
        Map<String, String> props = ConnectWorkers.worker(kafka.bootstrapServers(), "dabba-kill-it",
                "http://127.0.0.1:" + port, plugins.toAbsolutePath().toString(), false);
        props.put("plugin.discovery", "hybrid_fail");
        Properties p = new Properties();
        p.putAll(props);
        Path file = work.resolve(name + ".properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "Connect worker " + name);
        }
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx512m", "-cp", workerClassPath(),
                "org.apache.kafka.connect.cli.ConnectDistributed", file.toAbsolutePath().toString());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile())
                .start();
        return new Worker(process, port, name);
    }

    private static String workerClassPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(cp.split(File.pathSeparator))
                .filter(e -> !e.contains("/gateway/target/") && !e.contains("dabba-gateway")
                        && !e.contains("dabba-clock") && !e.contains("/clock/target/")
                        && !e.contains("org.eclipse.paho"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static ConnectRest awaitRest(Worker worker) {
        ConnectRest rest = new ConnectRest(URI.create("http://127.0.0.1:" + worker.port()));
        await().atMost(WAIT).until(() -> {
            assertThat(worker.process().isAlive())
                    .as(worker.name() + " is running (see target/connect-kill-it/" + worker.name() + ".log)")
                    .isTrue();
            return rest.isUp();
        });
        return rest;
    }
}
