package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.server.store.FleetStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The storage contract on SQLite (the default store). */
class StoreSqliteTest extends AbstractStoreContract {
    @Override
    String jdbcUrl() {
        return "jdbc:sqlite:" + tmp.resolve("fleet.db").toAbsolutePath();
    }

    /**
     * A database file as FleetStore made it at commit c63e72d (all migrations in db/migration/sqlite), before
     * the common migrations moved to db/migration/common: it opens without a validation error, and nothing
     * is migrated again.
     */
    @Test
    void aDatabaseMigratedByTheSingleFolderLayoutStillOpens() throws Exception {
        Path file = tmp.resolve("legacy.db");
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/db-legacy/fleet-c63e72d-sqlite.db.gz"))) {
            Files.copy(in, file);
        }
        try (FleetStore legacy = FleetStore.open("jdbc:sqlite:" + file.toAbsolutePath())) {
            assertTrue(legacy.devices().isEmpty());
            try (Connection c = legacy.connection(); Statement s = c.createStatement();
                 var rs = s.executeQuery("SELECT COUNT(*) FROM flyway_schema_history")) {
                rs.next();
                assertEquals(PUBLISHED_SQLITE.size(), rs.getInt(1), "no migration ran again");
            }
        }
    }
}
