package dev.dabba.reliability.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.embedded.FreePorts;
import dev.dabba.embedded.LocalMosquitto;
import dev.dabba.gateway.connect.MqttClientSettings;
import dev.dabba.gateway.connect.MqttSourceConfig;
import dev.dabba.gateway.connect.MqttSourceTask;
import dev.dabba.record.EventId;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordBatch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.SplitBatch;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the machine's Mosquitto with {@code deploy/mosquitto/mosquitto-tls.conf} (TLS with client certificates,
 * passwords) and {@code deploy/connect/mosquitto-acl.conf} (per-device ACLs), rewritten only to a free port and a
 * temporary directory of throwaway certificates, and shows what it admits: the edge agent with the right certificate
 * and password gets its records to the gateway user; the gateway's source task, with its connector's TLS keys, turns
 * a tower's batch into a Kafka record; wrong passwords, missing or foreign certificates and plain TCP
 * are refused; a tower publishing on another tower's topic is not delivered. Skipped, saying why, where
 * {@code /usr/sbin/mosquitto} or {@code openssl} is missing.
 */
class MosquittoSecurityIT {

    private static final Path PASSWD = Path.of("/usr/bin/mosquitto_passwd");
    private static final NodeId BKC = NodeId.of("MUMBAI_BKC");
    private static final NodeId ANDHERI = NodeId.of("MUMBAI_ANDHERI");
    private static final Map<String, String> PASSWORDS = Map.of("MUMBAI_BKC", "bkc-secret", "MUMBAI_ANDHERI",
            "andheri-secret", "gateway", "gateway-secret");
    private static final MqttTopics TOPICS = MqttTopics.DEFAULT;

    @TempDir
    static Path dir;
    private static Pki pki;
    private static LocalMosquitto mosquitto;
    private static int port;

    @BeforeAll
    static void startBroker() throws Exception {
        Assumptions.assumeTrue(LocalMosquitto.binary().isPresent() && Files.isExecutable(PASSWD),
                "skipped: no mosquitto in " + LocalMosquitto.BINARIES + " or no " + PASSWD + " (apt-get install "
                        + "mosquitto)");
        Assumptions.assumeTrue(Pki.available(), "skipped: " + Pki.OPENSSL + " is not installed");
        pki = Pki.create(dir);
        pki.issue("MUMBAI_BKC", "MUMBAI_BKC", "extendedKeyUsage=clientAuth");
        pki.issue("MUMBAI_ANDHERI", "MUMBAI_ANDHERI", "extendedKeyUsage=clientAuth");
        pki.issue("gateway", "gateway", "extendedKeyUsage=clientAuth");
        pki.issueSelfSigned("intruder");

        boolean first = true;
        for (Map.Entry<String, String> u : PASSWORDS.entrySet()) {
            exec(first ? List.of(PASSWD.toString(), "-c", "-b", dir.resolve("passwd").toString(), u.getKey(),
                    u.getValue()) : List.of(PASSWD.toString(), "-b", dir.resolve("passwd").toString(), u.getKey(),
                    u.getValue()));
            first = false;
        }
        Path repo = Path.of(System.getProperty("user.dir")).getParent();
        Files.copy(repo.resolve("deploy/connect/mosquitto-acl.conf"), dir.resolve("acl"));
        port = FreePorts.pick();
        String conf = Files.readString(repo.resolve("deploy/mosquitto/mosquitto-tls.conf"))
                .replace("/etc/mosquitto/dabba/", dir + "/")
                .replace("listener 8883 0.0.0.0", "listener " + port + " 127.0.0.1")
                .replace("persistence true", "persistence false")
                .replace("persistence_location /var/lib/mosquitto/", "");
        mosquitto = LocalMosquitto.start(dir, port, conf + "\nlog_type all\n");
    }

    @AfterAll
    static void stopBroker() {
        if (mosquitto != null) {
            mosquitto.close();
            System.out.println("mosquitto log:\n" + mosquitto.log());
        }
    }

    private static void exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(cmd + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }

    private static String sslUri() {
        return "ssl://127.0.0.1:" + port;
    }

    /** A Paho MQTT 5 client over TLS presenting {@code certificate} (or none), logging in as {@code user}. */
    private static MqttClient connect(String uri, String certificate, String user, String password) throws Exception {
        MqttClient c = new MqttClient(uri, "sec-" + user + "-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setConnectionTimeout(10);
        o.setUserName(user);
        o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        if (uri.startsWith("ssl://")) {
            o.setSocketFactory(pki.context(certificate).getSocketFactory());
        }
        try {
            c.connect(o);
        } catch (MqttException e) {
            c.close(true);
            throw e;
        }
        return c;
    }

    /** The gateway's subscription to every record topic, collecting (topic, payload). */
    private static final class Collector implements MqttCallback, AutoCloseable {
        final List<Map.Entry<String, byte[]>> received = new CopyOnWriteArrayList<>();
        final MqttClient client;

        Collector() throws Exception {
            client = connect(sslUri(), "gateway", "gateway", PASSWORDS.get("gateway"));
            client.setCallback(this);
            client.subscribe(TOPICS.root() + "/records/#", 1);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received.add(Map.entry(topic, message.getPayload()));
        }

        @Override
        public void disconnected(MqttDisconnectResponse r) {
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String uri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }

        @Override
        public void close() throws Exception {
            client.disconnect();
            client.close();
        }
    }

    private static byte[] batchOf(NodeId tower, long sequence) {
        Instant now = Instant.now();
        UsageRecord r = new UsageRecord(new EventId(tower, sequence), Msisdn.of("+919876543210"), now,
                new HybridTimestamp(now.toEpochMilli(), 0), VectorClock.of(Map.of(tower.value(), sequence)),
                new Usage.Sms(Msisdn.of("+919876543211")));
        return RecordCodec.standard().encodeBatch(new RecordBatch(tower, List.of(r)));
    }

    @Test
    void edgeAgent_withItsCertificateAndPassword_connectsOverTls_andItsRecordsReachTheGateway() throws Exception {
        try (Collector gateway = new Collector()) {
            AgentConfig base = AgentConfig.of(BKC, sslUri(), dir.resolve("agent-state"));
            AgentConfig config = base.withMqtt(base.mqtt()
                    .withCredentials("MUMBAI_BKC", PASSWORDS.get("MUMBAI_BKC"))
                    .withTls(new AgentConfig.TlsSettings(pki.file("ca.crt"), pki.file("MUMBAI_BKC.crt"),
                            pki.file("MUMBAI_BKC.key"), true)));
            UsageRecord sent;
            try (EdgeAgent agent = EdgeAgent.start(config, Clock.systemUTC())) {
                sent = agent.record(Msisdn.of("+919876543210"), Instant.now(),
                        new Usage.Sms(Msisdn.of("+919876543211")));
                agent.flush(Duration.ofSeconds(60));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> !gateway.received.isEmpty());
            Map.Entry<String, byte[]> m = gateway.received.get(0);
            assertThat(m.getKey()).isEqualTo(TOPICS.records(BKC));
            SplitBatch batch = RecordCodec.standard().splitBatch(m.getValue());
            assertThat(batch.records()).extracting(SplitBatch.RawRecord::id).containsExactly(sent.id());
        }
    }

    /**
     * The gateway's own source task, configured the way an operator would (connector keys for the broker, the user,
     * the trust store and its client certificate), subscribes over TLS through its shared subscription and turns a
     * tower's batch into a Kafka record for that tower. Its TLS sockets are built from those keys by the gateway
     * itself (Nagle off), not by Paho, so this is what shows the keys still work.
     */
    @Test
    void gatewaySourceTask_withItsConnectorTlsSettings_receivesATowersBatchOverTls() throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put(MqttClientSettings.SERVER_URIS, sslUri());
        props.put(MqttClientSettings.CLIENT_ID, "gateway-tls-" + System.nanoTime());
        props.put(MqttClientSettings.USERNAME, "gateway");
        props.put(MqttClientSettings.PASSWORD, PASSWORDS.get("gateway"));
        props.put(MqttClientSettings.SSL_TRUSTSTORE_LOCATION, pki.trustStore().toString());
        props.put(MqttClientSettings.SSL_TRUSTSTORE_PASSWORD, Pki.STORE_PASSWORD);
        props.put(MqttClientSettings.SSL_KEYSTORE_LOCATION, pki.file("gateway.p12").toString());
        props.put(MqttClientSettings.SSL_KEYSTORE_PASSWORD, Pki.STORE_PASSWORD);
        props.put(MqttSourceConfig.RECORDS_TOPIC, "tls-records");
        props.put(MqttSourceConfig.DEAD_LETTER_TOPIC, "tls-dead-letters");
        props.put(MqttSourceConfig.POLL_TIMEOUT_MS, "100");
        MqttSourceTask task = new MqttSourceTask();
        task.initialize(new TaskContext(props));
        task.start(props);
        try {
            MqttClient bkc = connect(sslUri(), "MUMBAI_BKC", "MUMBAI_BKC", PASSWORDS.get("MUMBAI_BKC"));
            try {
                MqttMessage m = new MqttMessage(batchOf(BKC, 901));
                m.setQos(1);
                bkc.publish(TOPICS.records(BKC), m);
            } finally {
                bkc.disconnect();
                bkc.close();
            }
            List<SourceRecord> out = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                List<SourceRecord> polled = task.poll();
                if (polled != null) {
                    out.addAll(polled);
                }
                return !out.isEmpty();
            });
            assertThat(out).singleElement().satisfies(r -> {
                assertThat(r.topic()).as("a record, not a dead letter").isEqualTo("tls-records");
                assertThat(new String((byte[]) r.headers().lastWithName(KafkaTopics.HEADER_EVENT_ID).value(),
                        StandardCharsets.UTF_8)).isEqualTo(new EventId(BKC, 901).toString());
            });
        } finally {
            task.stop();
        }
    }

    /** What Kafka Connect hands a task: its configuration; no offsets or plugin metrics are needed here. */
    private record TaskContext(Map<String, String> configs) implements SourceTaskContext {
        @Override
        public OffsetStorageReader offsetStorageReader() {
            return null;
        }

        @Override
        public PluginMetrics pluginMetrics() {
            return null;
        }
    }

    @Test
    void wrongPassword_isRefused() {
        assertThatThrownBy(() -> connect(sslUri(), "MUMBAI_BKC", "MUMBAI_BKC", "not-the-password"))
                .isInstanceOf(MqttException.class);
        assertThatThrownBy(() -> connect(sslUri(), "MUMBAI_BKC", "MUMBAI_BKC", PASSWORDS.get("MUMBAI_ANDHERI")))
                .as("another device's password").isInstanceOf(MqttException.class);
    }

    @Test
    void missingOrUntrustedClientCertificate_andPlainTcp_areRefused_evenWithTheRightPassword() {
        assertThatThrownBy(() -> connect(sslUri(), null, "MUMBAI_BKC", PASSWORDS.get("MUMBAI_BKC")))
                .as("no client certificate").isInstanceOf(MqttException.class);
        assertThatThrownBy(() -> connect(sslUri(), "intruder", "MUMBAI_BKC", PASSWORDS.get("MUMBAI_BKC")))
                .as("a certificate from another CA").isInstanceOf(MqttException.class);
        assertThatThrownBy(() -> connect("tcp://127.0.0.1:" + port, null, "MUMBAI_BKC", PASSWORDS.get("MUMBAI_BKC")))
                .as("plain TCP on the TLS listener").isInstanceOf(MqttException.class);
    }

    @Test
    void towerPublishingOnAnotherTowersTopic_isNotDelivered_whileItsOwnTopicIs() throws Exception {
        try (Collector gateway = new Collector()) {
            MqttClient bkc = connect(sslUri(), "MUMBAI_BKC", "MUMBAI_BKC", PASSWORDS.get("MUMBAI_BKC"));
            try {
                byte[] forged = batchOf(ANDHERI, 777);
                MqttMessage m = new MqttMessage(forged);
                m.setQos(1);
                try {
                    bkc.publish(TOPICS.records(ANDHERI), m);
                } catch (MqttException refused) {
                    // MQTT 5: Mosquitto may answer the PUBLISH with reason 0x87 (not authorized); either way it
                    // must not be delivered.
                }
                // Then a genuine batch on its own topic, on the same connection: once it arrives, anything the broker
                // was going to deliver before it has arrived too.
                MqttMessage own = new MqttMessage(batchOf(BKC, 778));
                own.setQos(1);
                bkc.publish(TOPICS.records(BKC), own);
                await().atMost(Duration.ofSeconds(30)).until(() -> gateway.received.stream()
                        .anyMatch(e -> e.getKey().equals(TOPICS.records(BKC))));
                assertThat(gateway.received).extracting(Map.Entry::getKey)
                        .containsOnly(TOPICS.records(BKC));
            } finally {
                bkc.disconnect();
                bkc.close();
            }
        }
    }
}
