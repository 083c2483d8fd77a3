package dev.dabba.agent;

/** What an agent runs on, which decides what it records and how it exchanges clocks. */
public enum Profile {
    /** A cell tower: calls, SMS and data sessions of many subscribers; clocks travel with handovers. */
    TOWER,
    /** An IoT sensor: meters its own usage (one MSISDN) and gossips its clock with neighbouring sensors. */
    SENSOR;

    /** The name used in config files: {@code tower} or {@code sensor}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
