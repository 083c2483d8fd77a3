package dev.dabba.embedded;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Tells whether an MQTT broker, typically the machine's Mosquitto on 127.0.0.1:1883, accepts an anonymous MQTT 3.1.1
 * connection, by a real CONNECT / CONNACK / DISCONNECT exchange, so that tests can decide to run against it too.
 */
public final class MosquittoProbe {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private MosquittoProbe() {
    }

    /** True if an MQTT broker at {@code host:port} accepted an anonymous clean-session connection within 2 s. */
    public static boolean isReachable(String host, int port) {
        return isReachable(host, port, DEFAULT_TIMEOUT);
    }

    /** True if an MQTT broker at {@code host:port} accepted an anonymous clean-session connection in time. */
    public static boolean isReachable(String host, int port, Duration timeout) {
        int millis = (int) Math.max(1, timeout.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), millis);
            socket.setSoTimeout(millis);
            OutputStream out = socket.getOutputStream();
            out.write(connectPacket("dabba-probe-" + Long.toHexString(ThreadLocalRandom.current().nextLong())));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int type = in.readUnsignedByte();
            int length = in.readUnsignedByte();
            if (type != 0x20 || length != 2) {
                return false; // not a CONNACK: something else listens there
            }
            in.readUnsignedByte(); // acknowledge flags
            int returnCode = in.readUnsignedByte();
            out.write(new byte[] {(byte) 0xE0, 0x00}); // DISCONNECT
            out.flush();
            return returnCode == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] connectPacket(String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        byte[] variableHeader = {
            0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name
            0x04,                           // protocol level: 3.1.1
            0x02,                           // connect flags: clean session
            0x00, 0x0A                      // keep alive: 10 s
        };
        int remaining = variableHeader.length + 2 + id.length; // < 128, so one length byte
        byte[] packet = new byte[2 + remaining];
        packet[0] = 0x10;
        packet[1] = (byte) remaining;
        System.arraycopy(variableHeader, 0, packet, 2, variableHeader.length);
        packet[2 + variableHeader.length] = (byte) (id.length >> 8);
        packet[3 + variableHeader.length] = (byte) id.length;
        System.arraycopy(id, 0, packet, 4 + variableHeader.length, id.length);
        return packet;
    }
}
