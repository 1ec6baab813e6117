package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.nanofleet.server.api.auth.ApiTokens;
import io.nanofleet.server.api.auth.Principal;
import io.nanofleet.server.api.auth.Role;
import io.nanofleet.server.audit.AuditLog;
import io.nanofleet.server.commands.CommandService;
import io.nanofleet.server.identity.CertificateRegistry;
import io.nanofleet.server.identity.DeviceCa;
import io.nanofleet.server.identity.EnrollmentException;
import io.nanofleet.server.identity.Identity;
import io.nanofleet.server.store.BatchWriter;
import io.nanofleet.server.store.CommandRow;
import io.nanofleet.server.store.DeviceRow;
import io.nanofleet.server.store.DeviceStore;
import io.nanofleet.server.store.FleetStore;
import io.nanofleet.server.store.Retention;
import io.nanofleet.server.store.SummaryRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The storage behaviour every supported database must show, run once per database (SQLite, PostgreSQL):
 * the same Flyway migrations, batched device writes, tokens, audit log, enrollment, commands, retention.
 * One store per class; each test uses its own device ids.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractStoreContract {
    static final long HOUR = 3_600_000L;
    final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    FleetStore store;
    BatchWriter writer;
    Path tmp;

    /** JDBC URL of a fresh, empty database (or schema). */
    abstract String jdbcUrl() throws Exception;

    /** Drops what {@link #jdbcUrl()} created. */
    void dropDatabase() throws Exception {}

    @BeforeAll
    void open() throws Exception {
        tmp = Files.createTempDirectory("nf-store-");
        store = FleetStore.open(jdbcUrl());
        writer = new BatchWriter(store, 10_000);
    }

    @AfterAll
    void close() throws Exception {
        if (writer != null) {
            writer.close();
        }
        if (store != null) {
            store.close();
        }
        dropDatabase();
    }

    static String id(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    TelemetryBatch batch(String device, long seq, long start, long end, double min, double max, double mean, double last) {
        return TelemetryBatch.newBuilder().setDeviceId(device).setSequence(seq).setWindowStartMs(start).setWindowEndMs(end)
                .addChannels(ChannelSummary.newBuilder().setChannel("temp").setCount(10).setMin(min).setMax(max).setMean(mean)
                        .setLast(last)).build();
    }

    /**
     * version|description|checksum of every migration as the single-folder layout (db/migration/sqlite and
     * db/migration/postgresql, up to commit c63e72d) applied them, read from flyway_schema_history there.
     * Databases migrated by it validate against today's layout only while these stay the same.
     */
    static final List<String> PUBLISHED_SQLITE = List.of("1|devices state summaries|358994399", "2|operators audit|1270451026",
            "3|identity|295782877", "4|command batches|1686628253", "5|summaries hourly|-890288847", "10|rollouts|-505995083");
    static final List<String> PUBLISHED_POSTGRESQL = List.of("1|devices state summaries|-534776714",
            "2|operators audit|-1182163219", "3|identity|295782877", "4|command batches|1686628253", "5|summaries hourly|-890288847",
            "10|rollouts|-505995083");

    @Test
    void migrationsAreThePublishedOnesByVersionDescriptionAndChecksum() throws Exception {
        List<String> applied = new java.util.ArrayList<>();
        try (Connection c = store.connection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT version, description, checksum FROM flyway_schema_history WHERE type = 'SQL' "
                     + "ORDER BY installed_rank")) {
            while (rs.next()) {
                applied.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getInt(3));
            }
        }
        assertEquals(store.isPostgres() ? PUBLISHED_POSTGRESQL : PUBLISHED_SQLITE, applied);
    }

    @Test
    void batchedDeviceWritesAreStoredOnceEvenWhenRedelivered() throws Exception {
        String d = id("w");
        writer.submit(new BatchWriter.StateWrite(DeviceState.newBuilder().setDeviceId(d).setStatus(DeviceState.Status.ONLINE)
                .setAgentVersion("1.0").setHardwareId("hw").addChannels("temp").setTimestampMs(5).build(), now.get()));
        TelemetryBatch b = batch(d, 1, 0, 1000, 1, 3, 2, 3);
        writer.submit(new BatchWriter.TelemetryWrite(b, now.get()));
        writer.submit(new BatchWriter.TelemetryWrite(b, now.get())); // redelivery
        store.insertCommand(new CommandRow("c-" + d, d, "ping", now.get(), now.get() + 60_000, "SENT", null, null));
        writer.submit(new BatchWriter.EventWrite(Event.newBuilder().setDeviceId(d).setEventId("e1").setSequence(2).setTimestampMs(7)
                .setCommandResult(CommandResult.newBuilder().setCommandId("c-" + d).setStatus(CommandResult.Status.OK).setMessage("pong"))
                .build(), now.get()));
        assertTrue(writer.flush(20_000));
        DeviceRow row = store.device(d).orElseThrow();
        assertTrue(row.online());
        assertEquals("dev", row.registration(), "a device first seen through device traffic is auto-registered");
        assertEquals(1, store.summaries(d, 10).size());
        assertEquals(1, store.events(d, 10).size());
        assertEquals("OK", store.command("c-" + d).orElseThrow().status());
        assertEquals(0, writer.failedCount());
    }

    @Test
    void lastSeenIsTheNewestTrafficAndNeverGoesBackwards() throws Exception {
        String d = id("seen");
        // First seen through telemetry (no state yet): the device row appears once the writer is flushed.
        for (long t : new long[] {1_000, 3_000, 2_000}) {
            writer.submit(new BatchWriter.TelemetryWrite(batch(d, t, 0, 1000, 1, 1, 1, 1), t));
        }
        assertTrue(writer.flush(20_000));
        assertEquals(3_000, store.device(d).orElseThrow().lastSeenMs(), "the newest of the collected times");
        assertEquals(3, store.summaries(d, 10).size());
        // A state received later sets a newer time; an older telemetry time arriving afterwards does not undo it.
        writer.submit(new BatchWriter.StateWrite(DeviceState.newBuilder().setDeviceId(d).setStatus(DeviceState.Status.ONLINE)
                .setTimestampMs(9).build(), 9_000));
        writer.submit(new BatchWriter.TelemetryWrite(batch(d, 4, 0, 1000, 1, 1, 1, 1), 5_000));
        assertTrue(writer.flush(20_000));
        assertEquals(9_000, store.device(d).orElseThrow().lastSeenMs());
        writer.submit(new BatchWriter.EventWrite(Event.newBuilder().setDeviceId(d).setEventId("s1").setSequence(5).setTimestampMs(7)
                .build(), 12_000));
        assertTrue(writer.flush(20_000));
        assertEquals(12_000, store.device(d).orElseThrow().lastSeenMs(), "events count as traffic too");
    }

    @Test
    void deviceRowsAreWrittenInTheCallersTransactionAndCarryGroupsAndTags() throws Exception {
        DeviceStore devices = store.deviceStore();
        String a = id("ds-a");
        String b = id("ds-b");
        long online = devices.onlineCount();
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            try (DeviceStore.Batch batch = devices.batch(c)) {
                batch.state(DeviceState.newBuilder().setDeviceId(a).setStatus(DeviceState.Status.ONLINE).setAgentVersion("2.0")
                        .setHardwareId("hw-a").addChannels("temp").addChannels("hum").setTimestampMs(5).build(), 1_000);
                batch.seen(a, 500);
                batch.seen(b, 2_000);
                batch.execute();
            }
            devices.enrolled(c, b, "plant-b", List.of("z", "a", "z"), "hw-b", "3.0", 3_000);
            assertTrue(devices.device(a).isEmpty() && devices.device(b).isEmpty(), "nothing is visible before the caller commits");
            c.commit();
        }
        DeviceRow ra = devices.device(a).orElseThrow();
        assertTrue(ra.online());
        assertEquals(1_000, ra.lastSeenMs(), "an older last-seen time does not move it back");
        assertEquals(List.of("temp", "hum"), ra.channels());
        assertEquals("2.0", ra.agentVersion());
        assertEquals("dev", ra.registration());
        DeviceRow rb = devices.device(b).orElseThrow();
        assertEquals("enrolled", rb.registration(), "enrolling a device first seen on the development listener");
        assertEquals("plant-b", rb.group());
        assertEquals(List.of("a", "z"), rb.tags());
        assertEquals("hw-b", rb.hardwareId());
        assertEquals(2_000, rb.lastSeenMs());
        assertEquals(online + 2, devices.onlineCount());

        try (Connection c = store.connection()) {
            devices.markOffline(c, a);
        }
        assertFalse(devices.device(a).orElseThrow().online());
        assertEquals(online + 1, devices.onlineCount());

        assertTrue(devices.setGroupAndTags(b, null, null));
        assertEquals(null, devices.device(b).orElseThrow().group());
        assertEquals(List.of("a", "z"), devices.tags(b), "null tags keep the tags");
        assertTrue(devices.setGroupAndTags(b, "plant-c", List.of("x")));
        assertEquals(List.of(b), devices.devices("plant-c", "x").stream().map(DeviceRow::deviceId).toList());
        assertTrue(devices.devices("plant-b", null).stream().noneMatch(d -> d.deviceId().equals(b)));
        String ghost = id("ghost");
        assertFalse(devices.setGroupAndTags(ghost, "g", List.of("x")), "unknown device");
        assertTrue(devices.tags(ghost).isEmpty(), "and no tags left behind");
    }

    @Test
    void apiTokensAreStoredHashedAndRevocable() throws Exception {
        ApiTokens tokens = new ApiTokens(store, now::get);
        ApiTokens.Issued t = tokens.create("grafana", Role.VIEWER);
        assertEquals(Role.VIEWER, tokens.lookup(t.token()).orElseThrow().role());
        try (Connection c = store.connection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT token_hash FROM api_tokens")) {
            while (rs.next()) {
                assertFalse(rs.getString(1).contains(t.token().substring(4)), "the secret itself is never stored");
            }
        }
        assertTrue(tokens.revoke(t.info().tokenId()));
        assertTrue(tokens.lookup(t.token()).isEmpty());
        assertTrue(tokens.lookup("nft_unknown").isEmpty());
    }

    @Test
    void auditLogIsQueryableAndAppendOnly() throws Exception {
        AuditLog audit = new AuditLog(store, now::get);
        String target = "device:" + id("a");
        audit.record(new Principal("t1", "alice", Role.ADMIN), "device.revoke", target, "{}");
        audit.record(new Principal("t1", "alice", Role.ADMIN), "device.labels", target, "{}");
        List<AuditLog.Entry> e = audit.query(null, target, null, 10);
        assertEquals(List.of("device.labels", "device.revoke"), e.stream().map(AuditLog.Entry::action).toList());
        assertEquals(1, audit.query("device.rev", target, null, 10).size());
        for (String sql : List.of("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log")) {
            SQLException x = assertThrows(SQLException.class, () -> {
                try (Connection c = store.connection(); Statement s = c.createStatement()) {
                    s.executeUpdate(sql);
                }
            }, sql);
            assertTrue(x.getMessage().contains("append-only"), x.getMessage());
        }
        assertEquals(2, audit.query(null, target, null, 10).size());
    }

    @Test
    void enrollmentTokensAreSingleUseExpireAndBadCsrsDoNotBurnThem() throws Exception {
        DeviceCa ca = DeviceCa.openOrCreate(tmp.resolve("ca-" + UUID.randomUUID()), "pw".toCharArray());
        CertificateRegistry registry = new CertificateRegistry(store);
        Identity identity = new Identity(store, ca, registry, now::get);
        String d = id("pump");
        DeviceCerts certs = new DeviceCerts(d);
        Identity.TokenGrant g = identity.createToken(d, 600, "plant-a", List.of("pump", "north"), "alice");

        EnrollmentException badCn = assertThrows(EnrollmentException.class, () -> identity.enroll(g.token(), certs.csr("other"), "hw", "1"));
        assertEquals(400, badCn.status());
        assertEquals(400, assertThrows(EnrollmentException.class, () -> identity.enroll(g.token(), "garbage", "hw", "1")).status());
        assertTrue(store.device(d).isEmpty(), "a refused enrollment stores nothing");

        Identity.Enrolled e = identity.enroll(g.token(), certs.csr(d), "hw", "1");
        assertEquals("CN=" + d, e.certificate().getSubjectX500Principal().getName());
        e.certificate().verify(ca.certificate().getPublicKey());
        assertTrue(registry.isEnrolled(d));
        DeviceRow row = store.device(d).orElseThrow();
        assertEquals("enrolled", row.registration());
        assertEquals("plant-a", row.group());
        assertEquals(List.of("north", "pump"), row.tags());
        assertEquals(List.of(d), store.devices("plant-a", "north").stream().map(DeviceRow::deviceId).filter(d::equals).toList());

        EnrollmentException replay = assertThrows(EnrollmentException.class, () -> identity.enroll(g.token(), certs.csr(d), "hw", "1"));
        assertEquals(409, replay.status());
        assertEquals(401, assertThrows(EnrollmentException.class, () -> identity.enroll("nope", certs.csr(d), "hw", "1")).status());
        Identity.TokenGrant shortLived = identity.createToken(id("late"), 1, null, List.of(), "alice");
        now.addAndGet(2_000);
        EnrollmentException expired = assertThrows(EnrollmentException.class,
                () -> identity.enroll(shortLived.token(), certs.csr("x"), "hw", "1"));
        assertEquals(401, expired.status());
        assertEquals("expired_token", expired.reason());

        assertEquals(1, identity.revokeDevice(d).size());
        assertTrue(registry.isRevoked(d));
        CertificateRegistry fresh = new CertificateRegistry(store);
        fresh.reload();
        assertTrue(fresh.isRevoked(d), "revocation is persistent");
        assertTrue(identity.revokeDevice(d).isEmpty());
    }

    @Test
    void commandsPastTheirExpiryAreReportedAndMarkedExpired() throws Exception {
        String d = id("c");
        CommandService commands = new CommandService(store, null, null, now::get);
        store.insertCommand(new CommandRow("x-" + d, d, "ping", now.get(), now.get() + 1000, "SENT", null, null));
        assertEquals("SENT", commands.get("x-" + d).orElseThrow().status());
        now.addAndGet(5000);
        assertEquals("EXPIRED", commands.get("x-" + d).orElseThrow().status(), "reported expired on read");
        assertTrue(commands.expireOverdue() >= 1);
        assertEquals("EXPIRED", store.command("x-" + d).orElseThrow().status(), "and marked so in the table");
        assertEquals(1, commands.byDevice(d, 10).size());
    }

    @Test
    void oldSummariesAreFoldedIntoHourlyAggregatesAndRecentOnesKept() throws Exception {
        String d = id("r");
        long base = (now.get() / HOUR) * HOUR - 48 * HOUR; // two days ago, hour-aligned
        writer.submit(new BatchWriter.TelemetryWrite(batch(d, 1, base, base + 60_000, 1, 5, 3, 4), now.get()));
        writer.submit(new BatchWriter.TelemetryWrite(batch(d, 2, base + 120_000, base + 180_000, 0, 9, 5, 7), now.get()));
        writer.submit(new BatchWriter.TelemetryWrite(batch(d, 3, base + HOUR, base + HOUR + 60_000, 2, 2, 2, 2), now.get()));
        long recent = now.get() - 60_000;
        writer.submit(new BatchWriter.TelemetryWrite(batch(d, 4, recent - 60_000, recent, 1, 1, 1, 1), now.get()));
        assertTrue(writer.flush(20_000));
        Retention retention = new Retention(store, Duration.ofHours(24), now::get);
        assertTrue(retention.run() >= 3);
        List<SummaryRow> raw = store.summaries(d, 10);
        assertEquals(List.of(4L), raw.stream().map(SummaryRow::sequence).toList(), "recent raw summaries stay");
        List<Retention.HourlyRow> hourly = retention.hourly(d, 10);
        assertEquals(2, hourly.size());
        Retention.HourlyRow first = hourly.get(1);
        assertEquals(base, first.hourStartMs());
        assertEquals(2, first.windows());
        assertEquals(20, first.count());
        assertEquals(0.0, first.min());
        assertEquals(9.0, first.max());
        assertEquals(4.0, first.mean(), 1e-9);
        assertEquals(7.0, first.last(), "last is the value of the latest window");

        // A late summary for an already folded hour merges into its aggregate.
        writer.submit(new BatchWriter.TelemetryWrite(batch(d, 5, base + 300_000, base + 360_000, -1, 1, 0, 0), now.get()));
        assertTrue(writer.flush(20_000));
        retention.run();
        Retention.HourlyRow merged = retention.hourly(d, 10).get(1);
        assertEquals(3, merged.windows());
        assertEquals(-1.0, merged.min());
        assertEquals(0.0, merged.last(), "the late window ends last, so its value is the hour's last");
        assertEquals(List.of(4L), store.summaries(d, 10).stream().map(SummaryRow::sequence).toList());
    }
}
