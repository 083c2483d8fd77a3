package dev.dabba.billing;

/** Whether a bill may still change. */
public enum BillStatus {
    /** The cycle is open or late records may still arrive: a newer version may replace this one. */
    PROVISIONAL,
    /** The cycle is closed and the bill is issued. */
    FINAL
}
