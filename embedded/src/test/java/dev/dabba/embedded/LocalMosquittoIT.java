package dev.dabba.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine's Mosquitto binary run with a configuration of the test's own (skipped where it is not installed). */
class LocalMosquittoIT {

    @TempDir
    Path dir;

    @BeforeEach
    void needsTheBinary() {
        assumeTrue(LocalMosquitto.binary().isPresent(),
                "skipped: no mosquitto binary in " + LocalMosquitto.BINARIES + " (apt-get install mosquitto)");
    }

    @Test
    void startsWithTheGivenConfig_answersMqtt_logsAsItGoes_andStopsOnClose() throws Exception {
        int port = FreePorts.pick();
        LocalMosquitto mosquitto = LocalMosquitto.start(dir, port,
                "listener " + port + " 127.0.0.1\nallow_anonymous true\nlog_type all");
        try {
            assertThat(mosquitto.uri()).isEqualTo("tcp://127.0.0.1:" + port);
            assertThat(MosquittoProbe.isReachable("127.0.0.1", port)).isTrue();
            // Written while the broker runs, not only when it stops (the connection is logged before its CONNACK).
            assertThat(mosquitto.log()).contains("Opening ipv4 listen socket on port " + port)
                    .contains("New client connected from 127.0.0.1");
        } finally {
            mosquitto.close();
        }
        assertThat(LocalMosquitto.listening(port)).as("port %d after close", port).isFalse();
    }

    @Test
    void aConfigMosquittoRefuses_failsTheStart_withItsLog() {
        int port = FreePorts.pick();
        assertThatThrownBy(() -> LocalMosquitto.start(dir, port,
                "listener " + port + " 127.0.0.1\nno_such_setting 42"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mosquitto exited")
                .hasMessageContaining("no_such_setting");
    }
}
