/**
 * Real infrastructure started in this JVM, without Docker, for the demo and the end-to-end tests: Kafka
 * ({@link dev.dabba.embedded.EmbeddedKafka}), an MQTT broker
 * ({@link dev.dabba.embedded.EmbeddedMqttBroker}) and PostgreSQL
 * ({@link dev.dabba.embedded.EmbeddedDatabase}, or an external server through
 * {@link dev.dabba.embedded.Database#connect(String, String)}).
 *
 * <p>Design notes, in one place:
 * <ul>
 *   <li>Every component listens on 127.0.0.1, on free ports unless told otherwise, in a fresh temporary directory
 *       that {@code close()} deletes; a caller-supplied directory is kept, so a second instance on the same ports
 *       and directory is a restart. Failures are {@link dev.dabba.embedded.InfrastructureException}s naming
 *       the component, the address and the reason (port in use, storage format failed, server output).</li>
 *   <li>Kafka runs as one KRaft node in combined mode with a static voter set ({@code controller.quorum.voters}):
 *       the storage is formatted with Kafka's own {@code org.apache.kafka.metadata.storage.Formatter}, as
 *       {@code kafka-storage format} does, then {@code kafka.server.KafkaRaftServer} starts. Internal topics have
 *       one replica and one partition, so groups and transactions work at once.</li>
 *   <li>Logging is logback only: log4j-core is excluded from Kafka and the Log4j API is routed to SLF4J
 *       ({@code log4j2.component.properties}); HiveMQ's logging bootstrap is disabled; HiveMQ's jar also ships a
 *       {@code logback.xml}, so {@code dev.dabba.embedded.logging.DabbaLogbackConfigurator} loads {@code dabba-logback.xml} instead.</li>
 *   <li>HiveMQ CE stops in about 4 s: its Netty event loops have a fixed 2 s quiet period.</li>
 *   <li>PostgreSQL refuses to run as root; zonky (2.2) runs it in a user namespace ({@code unshare -U}) when the JVM
 *       is root, as CI here is. Its binaries are unpacked once into {@code java.io.tmpdir/embedded-pg}.</li>
 * </ul>
 */
package dev.dabba.embedded;
