package dev.dabba.record;

/** The radio access technology of a data session. */
public enum RadioType {
    G3("3G"),
    G4("4G"),
    G5("5G");

    private final String label;

    RadioType(String label) {
        this.label = label;
    }

    /** The name people use: {@code 3G}, {@code 4G}, {@code 5G}. */
    public String label() {
        return label;
    }

    /** Parses {@code 3G}/{@code 4G}/{@code 5G} or the enum name. */
    public static RadioType parse(String text) {
        for (RadioType t : values()) {
            if (t.label.equalsIgnoreCase(text) || t.name().equalsIgnoreCase(text)) {
                return t;
            }
        }
        throw new IllegalArgumentException("radio type must be one of 3G, 4G, 5G, was '" + text + "'");
    }
}
