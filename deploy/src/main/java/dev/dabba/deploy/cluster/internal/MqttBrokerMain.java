package dev.dabba.deploy.cluster.internal;

import dev.dabba.embedded.EmbeddedMqttBroker;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The cluster's own MQTT broker process (HiveMQ CE embedded, file persistence, so retained epochs and persistent
 * sessions survive a restart), for machines without Mosquitto: {@code MqttBrokerMain PORT DIRECTORY}. Runs until
 * SIGTERM.
 */
public final class MqttBrokerMain {

    private MqttBrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder().port(port).directory(dir).filePersistence(true)
                .start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "dabba-mqtt-stop"));
        System.out.println("MQTT broker (HiveMQ CE) listening on " + broker.uri() + ", data in " + dir);
        System.out.flush();
        stopped.await();
    }
}
