package dev.dabba.embedded.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.net.URL;

/**
 * Configures logback from {@code dabba-logback.xml}: our own INFO, the embedded infrastructure's warnings only.
 *
 * <p>Registered as a logback {@link Configurator} service, so it runs before logback's default lookup, which would
 * otherwise pick the {@code logback.xml} that HiveMQ CE ships inside its jar. It steps aside for an explicit
 * {@code -Dlogback.configurationFile} or a {@code logback-test.xml} on the classpath.
 */
public final class DabbaLogbackConfigurator extends ContextAwareBase implements Configurator {

    static final String CONFIG = "dabba-logback.xml";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = DabbaLogbackConfigurator.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null || loader.getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        URL config = loader.getResource(CONFIG);
        if (config == null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        try {
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(context);
            joran.doConfigure(config);
            return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
        } catch (JoranException e) {
            addError("could not configure logging from " + config, e);
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
    }
}
