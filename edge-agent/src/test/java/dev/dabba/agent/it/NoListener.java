package dev.dabba.agent.it;

import dev.dabba.agent.internal.mqtt.MqttLink;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/** A link listener for tests that drive {@link MqttLink} alone: it acknowledges whatever arrives. */
final class NoListener implements MqttLink.Listener {
    @Override
    public void connected(boolean sessionPresent, int window) {
    }

    @Override
    public void disconnected(String reason) {
    }

    @Override
    public void messageArrived(String topic, MqttMessage message, Runnable complete) {
        complete.run();
    }
}
