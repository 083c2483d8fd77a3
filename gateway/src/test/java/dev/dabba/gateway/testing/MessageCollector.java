package dev.dabba.gateway.testing;

import java.util.concurrent.BlockingQueue;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A Paho callback that puts every received message into a queue (Paho 1.2.5's per-subscription listeners fail). */
public final class MessageCollector implements MqttCallback {

    private final BlockingQueue<MqttMessage> received;

    public MessageCollector(BlockingQueue<MqttMessage> received) {
        this.received = received;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        received.add(message);
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }
}
