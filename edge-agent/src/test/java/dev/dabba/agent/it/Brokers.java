package dev.dabba.agent.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dabba.embedded.MosquittoProbe;
import dev.dabba.record.MqttTopics;
import java.util.UUID;

/** The machine's Mosquitto on 127.0.0.1:1883, when it runs: every test gets a topic root of its own there. */
final class Brokers {

    static final String MOSQUITTO = "tcp://127.0.0.1:1883";

    private Brokers() {
    }

    /** Skips the calling test, saying why, when no Mosquitto answers. */
    static void assumeMosquitto() {
        assumeTrue(MosquittoProbe.isReachable("127.0.0.1", 1883),
                "no MQTT broker answers on 127.0.0.1:1883 (Mosquitto); the embedded-broker variant covers this test");
    }

    /** A topic root no other run uses. */
    static MqttTopics uniqueTopics() {
        return new MqttTopics("dabba-it/" + UUID.randomUUID());
    }
}
