package dev.dabba.record;

/** The bearer of a call, as towers report it. */
public enum CallType {
    VOICE,
    VIDEO,
    VOLTE
}
