package dev.dabba.deploy.cluster;

/**
 * A process (or pair of processes) of the {@link LocalCluster}: what {@link LocalCluster#kill(Component)} and
 * {@link LocalCluster#restart(Component)} act on.
 */
public enum Component {
    /** The Kafka broker (KRaft, broker and controller in one JVM). */
    KAFKA("kafka"),
    /** The Kafka Connect distributed worker running the gateway plugin (MQTT source and epoch sink). */
    CONNECT("connect"),
    /** The Flink JobManager of the session cluster. */
    JOB_MANAGER("jobmanager"),
    /** The Flink TaskManager of the session cluster. */
    TASK_MANAGER("taskmanager"),
    /** The MQTT broker: restartable only when the cluster started it (not the machine's Mosquitto). */
    MQTT_BROKER("mqtt"),
    /** PostgreSQL: restartable only when the cluster started it (not the machine's server). */
    POSTGRES("postgres"),
    /** The billing HTTP API ({@code dabba serve}). */
    API("api");

    private final String key;

    Component(String key) {
        this.key = key;
    }

    /** The short name used in the state file, log file names and {@code dabba cluster status}. */
    public String key() {
        return key;
    }
}
