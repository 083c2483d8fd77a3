package dev.dabba.jobs;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Client properties of the plain Kafka clients that run beside the job (bootstrap, tools): one shape for each. */
public final class KafkaClients {

    private KafkaClients() {
    }

    /**
     * A consumer that reads a topic from its beginning by assignment, {@code read_committed}, committing nothing and
     * creating no topic; {@code clientProperties} (security settings) first, so they cannot change those.
     */
    public static Properties reader(String bootstrapServers, Map<String, String> clientProperties, String clientId) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return p;
    }

    /** An idempotent producer whose writes are acknowledged by every in-sync replica. */
    public static Properties writer(String bootstrapServers, Map<String, String> clientProperties, String clientId) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return p;
    }
}
