package dev.dabba.gateway.internal;

/** The version Connect shows for the gateway's plugins: the jar's implementation version, or {@code dev}. */
public final class GatewayVersion {

    private GatewayVersion() {
    }

    /** The gateway's version. */
    public static String get() {
        String v = GatewayVersion.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
