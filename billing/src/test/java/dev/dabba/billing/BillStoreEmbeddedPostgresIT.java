package dev.dabba.billing;

import javax.sql.DataSource;

/** The store contract on an embedded PostgreSQL (zonky), which every machine can run. */
class BillStoreEmbeddedPostgresIT extends BillStoreContract {

    @Override
    DataSource dataSource() {
        return TestDatabases.embedded().getPostgresDatabase();
    }
}
