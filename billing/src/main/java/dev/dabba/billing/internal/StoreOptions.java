package dev.dabba.billing.internal;

import dev.dabba.billing.BillStore;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The report-store options shared by the billing commands: where PostgreSQL is and which schema holds the bills. */
public final class StoreOptions {

    /** The database the standalone commands read unless told otherwise. */
    public static final String DEFAULT_JDBC_URL = "jdbc:postgresql://127.0.0.1:5432/dabba";

    private static final List<String> CONNECTION_OPTIONS = List.of("--jdbc-url", "--db-user", "--db-password");

    @Option(names = "--jdbc-url", paramLabel = "URL", order = 50, defaultValue = DEFAULT_JDBC_URL,
            converter = CliConverters.JdbcUrlConverter.class,
            description = "PostgreSQL to read (standalone only). Default: ${DEFAULT-VALUE}.")
    String jdbcUrl;

    @Option(names = "--db-user", paramLabel = "NAME", order = 51, defaultValue = "postgres",
            description = "Database user (standalone only). Default: ${DEFAULT-VALUE}.")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "PASSWORD", order = 52, defaultValue = "${env:PGPASSWORD}",
            description = "Database password (standalone only). Default: $PGPASSWORD, else none.")
    String dbPassword;

    @Option(names = "--schema", paramLabel = "NAME", order = 53, defaultValue = BillStore.DEFAULT_SCHEMA,
            converter = CliConverters.SchemaConverter.class,
            description = "Schema holding the bill tables. Default: ${DEFAULT-VALUE}.")
    String schema;

    /** The schema to read. */
    public String schema() {
        return schema;
    }

    /** The JDBC URL given (or the default). */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /**
     * {@code embedded} if the command was given a data source (then connection options are refused), else a data
     * source for {@code --jdbc-url}.
     */
    public DataSource dataSource(DataSource embedded, CommandSpec spec) {
        if (embedded != null) {
            for (String option : CONNECTION_OPTIONS) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new ParameterException(spec.commandLine(), "Option '" + option + "' cannot be used here: "
                            + "this command reads the database it was given");
                }
            }
            return embedded;
        }
        PGSimpleDataSource standalone = new PGSimpleDataSource();
        standalone.setURL(jdbcUrl);
        standalone.setUser(dbUser);
        if (dbPassword != null && !dbPassword.isEmpty()) {
            standalone.setPassword(dbPassword);
        }
        standalone.setConnectTimeout(10);
        return standalone;
    }
}
