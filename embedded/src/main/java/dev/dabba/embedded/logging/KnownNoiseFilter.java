package dev.dabba.embedded.logging;

import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * A logback turbo filter that drops known, harmless warnings that the embedded infrastructure prints on every start or
 * stop, configured as {@code <noise>logger.name|message fragment</noise>} entries in {@code logback.xml}.
 */
public final class KnownNoiseFilter extends TurboFilter {

    private final List<String[]> noises = new ArrayList<>();

    /** Adds one entry, "logger name|fragment of the message format". */
    public void addNoise(String entry) {
        int bar = entry.indexOf('|');
        if (bar <= 0 || bar == entry.length() - 1) {
            addError("noise entry must be 'logger.name|message fragment', was '" + entry + "'");
            return;
        }
        noises.add(new String[] {entry.substring(0, bar).trim(), entry.substring(bar + 1).trim()});
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                              Throwable t) {
        if (format == null || level == null || level.toInt() > Level.WARN.toInt()) {
            return FilterReply.NEUTRAL;
        }
        for (String[] noise : noises) {
            if (noise[0].equals(logger.getName()) && format.contains(noise[1])) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }
}
