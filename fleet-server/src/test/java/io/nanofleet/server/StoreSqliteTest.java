package io.nanofleet.server;

/** The storage contract on SQLite (the default store). */
class StoreSqliteTest extends AbstractStoreContract {
    @Override
    String jdbcUrl() {
        return "jdbc:sqlite:" + tmp.resolve("fleet.db").toAbsolutePath();
    }
}
