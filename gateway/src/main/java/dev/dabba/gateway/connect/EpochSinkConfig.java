package dev.dabba.gateway.connect;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The configuration of the epoch relay ({@link EpochSinkConnector} and {@link EpochSinkTask}): the MQTT connection
 * and the relay's timeouts. The Kafka topic is Connect's own {@code topics} key ({@code dabba.epochs}).
 */
public final class EpochSinkConfig extends AbstractConfig {

    public static final String RETAINED_WAIT_MS = "epochs.retained.wait.ms";
    public static final String PUBLISH_TIMEOUT_MS = "epochs.publish.timeout.ms";
    /** The relay's default MQTT client id. */
    public static final String DEFAULT_CLIENT_ID = "dabba-gateway-epochs";

    private static final String GROUP = "Epoch relay";

    /** Every key of the epoch relay. */
    public static final ConfigDef CONFIG_DEF = MqttClientSettings.define(new ConfigDef(), DEFAULT_CLIENT_ID,
                    "The relay's MQTT client id.")
            .define(RETAINED_WAIT_MS, Type.LONG, 1_000L, ConfigDef.Range.between(0L, 60_000L), Importance.LOW,
                    "On start, how long to wait for the broker's retained announcement (the epoch already "
                            + "announced) before relaying anything.", GROUP, 1, ConfigDef.Width.SHORT,
                    "Retained wait (ms)")
            .define(PUBLISH_TIMEOUT_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(1L), Importance.LOW,
                    "How long to wait for the broker to acknowledge an announcement; Connect retries the batch "
                            + "after a timeout.", GROUP, 2, ConfigDef.Width.SHORT, "Publish timeout (ms)");

    private final MqttClientSettings mqtt;

    public EpochSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        this.mqtt = MqttClientSettings.from(this);
    }

    public MqttClientSettings mqtt() {
        return mqtt;
    }

    public Duration retainedWait() {
        return Duration.ofMillis(getLong(RETAINED_WAIT_MS));
    }

    public Duration publishTimeout() {
        return Duration.ofMillis(getLong(PUBLISH_TIMEOUT_MS));
    }
}
