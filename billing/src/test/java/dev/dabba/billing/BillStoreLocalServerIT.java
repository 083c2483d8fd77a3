package dev.dabba.billing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on the real server at 127.0.0.1:5432 where one runs; skipped, saying why, where none does. */
class BillStoreLocalServerIT extends BillStoreContract {

    private static final DataSource SERVER = TestDatabases.localServer();

    @BeforeAll
    static void requireServer() {
        String reason = TestDatabases.unreachableReason(SERVER);
        assumeTrue(reason == null, () -> "PostgreSQL not reachable at 127.0.0.1:5432: " + reason);
    }

    @Override
    DataSource dataSource() {
        return SERVER;
    }
}
