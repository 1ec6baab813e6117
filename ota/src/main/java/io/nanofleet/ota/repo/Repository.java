package io.nanofleet.ota.repo;

import io.nanofleet.ota.client.AtomicFiles;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.crypto.Hex;
import io.nanofleet.ota.crypto.TufKey;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.metadata.DelegatedRole;
import io.nanofleet.ota.metadata.Hashes;
import io.nanofleet.ota.metadata.Metadata;
import io.nanofleet.ota.metadata.Root;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.Targets;
import io.nanofleet.ota.metadata.TufException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Repository tooling: a TUF repository in a directory, laid out exactly as it is published
 * ({@code metadata/N.root.json}, {@code metadata/N.targets.json}, {@code metadata/N.snapshot.json},
 * {@code metadata/timestamp.json}, {@code targets/<sha256>.<name>}), with consistent snapshots so a
 * client never sees a mix of old and new files. Offline roles (root, targets) and online roles
 * (snapshot, timestamp) are separate operations so their keys can live on different machines.
 */
public final class Repository {
    private static final List<String> TOP_ROLES = List.of("root", "targets", "snapshot", "timestamp");
    private final Path metaDir;
    private final Path targetsDir;
    private final Clock clock;
    private Duration rootExpiry = Duration.ofDays(365);
    private Duration targetsExpiry = Duration.ofDays(90);
    private Duration snapshotExpiry = Duration.ofDays(7);
    private Duration timestampExpiry = Duration.ofDays(1);

    public Repository(Path dir, Clock clock) {
        this.metaDir = dir.resolve("metadata");
        this.targetsDir = dir.resolve("targets");
        this.clock = clock;
    }

    public Repository expiries(Duration root, Duration targets, Duration snapshot, Duration timestamp) {
        this.rootExpiry = root;
        this.targetsExpiry = targets;
        this.snapshotExpiry = snapshot;
        this.timestampExpiry = timestamp;
        return this;
    }

    public Path metadataDir() {
        return metaDir;
    }

    public Path targetsDir() {
        return targetsDir;
    }

    /**
     * Creates root v1 (with the optional NanoFleet director role), empty targets v1, snapshot v1 and
     * timestamp. Roles: root, targets, snapshot, timestamp, and optionally "director".
     */
    public void init(Map<String, RoleSpec> roles, Map<String, List<TufSigner>> signers) throws IOException, TufException {
        initOffline(roles, signers);
        refresh(signers.getOrDefault("snapshot", List.of()), signers.getOrDefault("timestamp", List.of()));
    }

    /**
     * The offline half of {@link #init}: root v1 and empty targets v1 only, signed with the root and targets
     * signers given (on the operator's machine). Snapshot and timestamp are left to whoever holds those keys:
     * the fleet server, after {@link #initFromSigned}.
     */
    public void initOffline(Map<String, RoleSpec> roles, Map<String, List<TufSigner>> signers) throws IOException {
        if (hasRoot()) {
            throw new IllegalStateException(metaDir + " already holds a repository");
        }
        Files.createDirectories(metaDir);
        Files.createDirectories(targetsDir);
        writeVersioned("root", rootSigned(1, roles), signers.getOrDefault("root", List.of()));
        Map<String, Object> targets = header("targets", 1, targetsExpiry);
        targets.put("targets", new LinkedHashMap<>());
        writeVersioned("targets", targets, signers.getOrDefault("targets", List.of()));
    }

    /** True once root v1 exists (made here by {@link #init}, or accepted by {@link #initFromSigned}). */
    public boolean hasRoot() {
        return Files.exists(metaDir.resolve("1.root.json"));
    }

    /**
     * Starts this repository from root v1 and targets v1 signed elsewhere (by {@link #initOffline} on the
     * operator's machine), for a server that holds only the online keys. Checks, and changes nothing unless
     * all hold ({@link PublishException} says which failed): no root here yet; root is root metadata of
     * version 1, unexpired, signed by a threshold of its own root keys; for every role in {@code online}
     * (snapshot, timestamp, and the NanoFleet director role) root lists exactly those keys with a threshold
     * they can meet; targets is version 1, unexpired, and signed by a threshold of root's targets keys. Then
     * targets and root are written atomically (root last: its presence marks the repository initialized).
     * Snapshot and timestamp must be signed afterwards ({@link #refresh}) for clients to see it.
     */
    public Root initFromSigned(byte[] rootJson, byte[] targetsJson, Map<String, List<TufKey>> online)
            throws IOException, TufException {
        if (hasRoot()) {
            throw new PublishException(PublishException.Reason.ROOT_EXISTS, "the repository already has a root (v"
                    + latestVersion("root") + "); a new root comes by rotation (nanofleet-ota rotate-root), not by initialization");
        }
        Root root;
        try {
            root = new Root(Metadata.parse(rootJson, Root.TYPE));
        } catch (TufException.FormatException e) {
            throw new PublishException(PublishException.Reason.NOT_ROOT_METADATA,
                    "root is not valid TUF root metadata: " + e.getMessage(), e);
        }
        if (root.version() != 1) {
            throw new PublishException(PublishException.Reason.NOT_ROOT_METADATA,
                    "root has version " + root.version() + ", a new repository starts from root version 1");
        }
        try {
            root.verify("root", root.metadata());
        } catch (TufException.SignatureException e) {
            throw new PublishException(PublishException.Reason.NOT_ROOT_METADATA, "root is not signed by a threshold of its "
                    + "own root keys: " + e.getMessage() + " (add the missing shares with nanofleet-ota sign --role root)", e);
        }
        if (root.metadata().isExpired(clock.instant())) {
            throw new PublishException(PublishException.Reason.EXPIRED, "root expired at " + root.metadata().expires());
        }
        for (Map.Entry<String, List<TufKey>> e : online.entrySet()) {
            checkOnlineRole(root, e.getKey(), e.getValue());
        }
        Targets targets;
        try {
            targets = new Targets(Metadata.parse(targetsJson, Targets.TYPE));
        } catch (TufException.FormatException e) {
            throw new PublishException(PublishException.Reason.NOT_TARGETS_METADATA,
                    "targets metadata is not valid TUF targets metadata: " + e.getMessage(), e);
        }
        if (targets.metadata().version() != 1) {
            throw new PublishException(PublishException.Reason.WRONG_VERSION, "targets metadata has version "
                    + targets.metadata().version() + ", a new repository starts from targets version 1");
        }
        try {
            root.verify("targets", targets.metadata());
        } catch (TufException.SignatureException e) {
            throw new PublishException(PublishException.Reason.BAD_SIGNATURE,
                    "targets metadata is not signed by root's targets key(s): " + e.getMessage(), e);
        }
        if (targets.metadata().isExpired(clock.instant())) {
            throw new PublishException(PublishException.Reason.EXPIRED, "targets metadata expired at " + targets.metadata().expires());
        }
        if (!targets.targets().isEmpty() || !targets.delegatedRoles().isEmpty()) {
            throw new PublishException(PublishException.Reason.MISSING_TARGET, "targets version 1 must be empty (as "
                    + "nanofleet-ota init writes it); publish models afterwards with add-target and an upload");
        }
        Files.createDirectories(metaDir);
        Files.createDirectories(targetsDir);
        AtomicFiles.write(metaDir.resolve("1.targets.json"), targetsJson);
        AtomicFiles.write(metaDir.resolve("1.root.json"), rootJson);
        return root;
    }

    private static void checkOnlineRole(Root root, String name, List<TufKey> expected) throws PublishException {
        io.nanofleet.ota.metadata.Role role = TOP_ROLES.contains(name) ? root.role(name) : root.nanofleetRole(name);
        String where = TOP_ROLES.contains(name) ? "roles." + name : Root.NANOFLEET_ROLES + "." + name;
        java.util.Set<String> want = new java.util.TreeSet<>();
        expected.forEach(k -> want.add(k.keyId()));
        java.util.Set<String> have = role == null ? java.util.Set.of() : new java.util.TreeSet<>(role.keyids());
        boolean sameKeys = have.equals(want);
        for (String id : have) {
            Object entry = root.keys().get(id);
            sameKeys &= entry instanceof Map && id.equals(TufKey.keyId((Map<?, ?>) entry));
        }
        if (!sameKeys || role.threshold() > want.size()) {
            throw new PublishException(PublishException.Reason.ONLINE_KEYS_DIFFER, "root's " + name + " role (" + where
                    + ") must list exactly this server's " + name + " key " + want + " with threshold 1, but lists "
                    + have + (role == null ? "" : " with threshold " + role.threshold())
                    + ": fetch GET /api/v1/tuf/online-keys again and re-create root with nanofleet-ota init --online-keys FILE");
        }
    }

    /** Root v(N+1) with new role keys; sign with old root keys (threshold) and new ones (threshold). */
    public void rotateRoot(Map<String, RoleSpec> roles, List<TufSigner> signers) throws IOException, TufException {
        long next = latestVersion("root") + 1;
        writeVersioned("root", rootSigned(next, roles), signers);
    }

    /** Adds signatures of more keys to the newest version of a role (multi-operator threshold signing). */
    public void sign(String role, List<TufSigner> signers) throws IOException, TufException {
        long v = latestVersion(role);
        Path f = metaDir.resolve(v + "." + Updater.Names.quote(role) + ".json");
        Metadata md = Metadata.parse(Files.readAllBytes(f), null);
        AtomicFiles.write(f, Signing.document(md.signed(), md.signatures(), signers));
    }

    /**
     * Publishes {@code file} as target {@code name} in {@code role} ("targets" or a delegated role): copies
     * it under its hash and writes a new version of the role's metadata. Snapshot and timestamp must be
     * refreshed afterwards for clients to see it. A published target is immutable: publishing its name
     * again with exactly the same file and custom fields changes nothing and returns the published target;
     * anything else is refused ({@link PublishException.Reason#TARGET_IMMUTABLE}, or
     * {@link PublishException.Reason#RELEASE_COUNTER_LOWERED} when the release counter would go down).
     */
    public TargetFile addTarget(Path file, String name, Map<String, Object> custom, String role, List<TufSigner> signers)
            throws IOException, TufException {
        checkTargetName(name);
        Staged staged = stage(file, List.of("sha256", "sha512"));
        TargetFile described = new TargetFile(name, staged.length(), staged.hashes(), custom);
        Map<String, Object> signed;
        try {
            Metadata current = latest(role);
            TargetFile published = new Targets(current).targets().get(name);
            if (published != null && checkUnchanged(published, described)) {
                return published;
            }
            signed = bump(current.signed(), targetsExpiry);
            staged.commit(targetsDir.resolve(described.consistentName()));
        } finally {
            staged.discard();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> targets = (Map<String, Object>) signed.get("targets");
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("length", described.length());
        entry.put("hashes", new LinkedHashMap<>(described.hashes()));
        if (custom != null && !custom.isEmpty()) {
            entry.put("custom", custom);
        }
        targets.put(name, entry);
        writeVersioned(role, signed, signers);
        return described;
    }

    /**
     * Publishes top-level targets metadata signed offline (with the targets keys this repository does not
     * hold) together with the target files it lists, by name. The metadata must verify against root's
     * targets keys, be the next version, be unexpired by this repository's clock, and every given file must
     * be listed with exactly its length and hashes; every other listed target must already be here. If any
     * check fails, nothing changes ({@link PublishException} says which). Otherwise the files are copied
     * (fsync'd, atomically renamed to their consistent-snapshot names) before the metadata is written the
     * same way, so published metadata never names a missing target. Snapshot and timestamp must be
     * refreshed afterwards for clients to see it.
     */
    public Targets publishSignedTargets(byte[] targetsJson, Map<String, Path> files) throws IOException, TufException {
        Targets next;
        try {
            next = new Targets(Metadata.parse(targetsJson, Targets.TYPE));
        } catch (TufException.FormatException e) {
            throw new PublishException(PublishException.Reason.NOT_TARGETS_METADATA,
                    "targets metadata is not valid TUF targets metadata: " + e.getMessage(), e);
        }
        Metadata md = next.metadata();
        try {
            root().verify("targets", md);
        } catch (TufException.SignatureException e) {
            throw new PublishException(PublishException.Reason.BAD_SIGNATURE,
                    "targets metadata is not signed by root's targets key(s): " + e.getMessage(), e);
        }
        long expected = latestVersion("targets") + 1;
        if (md.version() != expected) {
            throw new PublishException(PublishException.Reason.WRONG_VERSION,
                    "targets metadata has version " + md.version() + ", the repository needs " + expected);
        }
        if (md.isExpired(clock.instant())) {
            throw new PublishException(PublishException.Reason.EXPIRED, "targets metadata expired at " + md.expires());
        }
        for (String name : files.keySet()) {
            if (!next.targets().containsKey(name)) {
                throw new PublishException(PublishException.Reason.NOT_LISTED, "targets metadata does not list a target named " + name);
            }
        }
        Map<String, TargetFile> published = new Targets(latest("targets")).targets();
        for (TargetFile t : next.targets().values()) {
            if (published.containsKey(t.name())) {
                checkUnchanged(published.get(t.name()), t);
            }
        }
        for (TargetFile t : next.targets().values()) {
            checkTargetName(t.name());
            if (!files.containsKey(t.name()) && !Files.isRegularFile(targetsDir.resolve(t.consistentName()))) {
                throw new PublishException(PublishException.Reason.MISSING_TARGET, "targets metadata lists " + t.name()
                        + ", which was neither uploaded with it nor is in the repository");
            }
        }
        Map<Path, Staged> staged = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Path> f : files.entrySet()) {
                TargetFile listed = next.targets().get(f.getKey());
                Staged s = stage(f.getValue(), listed.hashes().keySet());
                staged.put(targetsDir.resolve(listed.consistentName()), s);
                s.check(listed);
            }
            for (Map.Entry<Path, Staged> s : staged.entrySet()) {
                s.getValue().commit(s.getKey());
            }
        } finally {
            for (Staged s : staged.values()) {
                s.discard();
            }
        }
        AtomicFiles.write(metaDir.resolve(expected + ".targets.json"), targetsJson);
        return next;
    }

    /**
     * True when {@code next} describes the published target exactly (length, every hash both list, custom
     * fields); otherwise refuses it: a published target is never replaced.
     */
    private static boolean checkUnchanged(TargetFile published, TargetFile next) throws PublishException {
        boolean sameHashes = false;
        for (Map.Entry<String, String> h : next.hashes().entrySet()) {
            String old = published.hashes().get(h.getKey());
            if (old != null) {
                sameHashes = old.equalsIgnoreCase(h.getValue());
                if (!sameHashes) {
                    break;
                }
            }
        }
        if (sameHashes && published.length() == next.length() && published.custom().equals(next.custom())) {
            return true;
        }
        if (next.releaseCounter() < published.releaseCounter()) {
            throw new PublishException(PublishException.Reason.RELEASE_COUNTER_LOWERED, "target " + next.name()
                    + " is published with release counter " + published.releaseCounter() + "; " + next.releaseCounter()
                    + " would lower it. Publish under a new name with a release counter of at least "
                    + published.releaseCounter());
        }
        throw new PublishException(PublishException.Reason.TARGET_IMMUTABLE, "target " + next.name()
                + " is published and immutable; publish under a new name");
    }

    private static void checkTargetName(String name) {
        if (name.startsWith("/") || name.contains("..") || name.isEmpty()) {
            throw new IllegalArgumentException("target name must be a relative path without '..': " + name);
        }
    }

    /** A copy of a target in a temp file of the targets directory, fsync'd, with its length and hashes. */
    private record Staged(Path tmp, long length, Map<String, String> hashes) {
        void check(TargetFile listed) throws PublishException {
            if (length != listed.length()) {
                throw new PublishException(PublishException.Reason.MISMATCH, "the file for " + listed.name()
                        + " does not match the signed metadata (length " + length + ", signed " + listed.length() + ")");
            }
            for (Map.Entry<String, String> h : listed.hashes().entrySet()) {
                if (!h.getValue().equalsIgnoreCase(hashes.get(h.getKey()))) {
                    throw new PublishException(PublishException.Reason.MISMATCH, "the file for " + listed.name()
                            + " does not match the signed metadata (" + h.getKey() + " differs)");
                }
            }
        }

        void commit(Path dest) throws IOException {
            Files.createDirectories(dest.getParent());
            AtomicFiles.move(tmp, dest);
        }

        void discard() throws IOException {
            Files.deleteIfExists(tmp);
        }
    }

    /** Copies {@code source} into a fresh temp file under the targets directory, hashing it as it goes. */
    private Staged stage(Path source, java.util.Collection<String> algorithms) throws IOException, PublishException {
        Map<String, MessageDigest> digests = new LinkedHashMap<>();
        for (String alg : algorithms) {
            MessageDigest d = Hashes.digest(alg);
            if (d == null) {
                throw new PublishException(PublishException.Reason.MISMATCH, "unsupported hash algorithm " + alg
                        + ": the file cannot be checked against it");
            }
            digests.put(alg, d);
        }
        Files.createDirectories(targetsDir);
        Path tmp = Files.createTempFile(targetsDir, ".stage-", ".tmp");
        long length = 0;
        try (InputStream in = Files.newInputStream(source);
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (MessageDigest d : digests.values()) {
                    d.update(buf, 0, n);
                }
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                while (b.hasRemaining()) {
                    out.write(b);
                }
                length += n;
            }
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        digests.forEach((alg, d) -> hashes.put(alg, Hex.encode(d.digest())));
        return new Staged(tmp, length, hashes);
    }

    /** Top-level targets delegates {@code paths} to a new role, whose v1 (empty) is signed by its own keys. */
    public void delegate(String name, List<String> paths, RoleSpec spec, boolean terminating,
                         List<TufSigner> targetsSigners, List<TufSigner> delegateSigners) throws IOException, TufException {
        if (TOP_ROLES.contains(name)) {
            throw new IllegalArgumentException(name + " is a top-level role name");
        }
        Map<String, Object> signed = bump(latest("targets").signed(), targetsExpiry);
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) signed.computeIfAbsent("delegations", k -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("keys", new LinkedHashMap<>());
            m.put("roles", new ArrayList<>());
            return m;
        });
        @SuppressWarnings("unchecked")
        Map<String, Object> keys = (Map<String, Object>) d.get("keys");
        for (TufKey k : spec.keys()) {
            keys.put(k.keyId(), k.toMetadata());
        }
        Map<String, Object> role = new LinkedHashMap<>();
        role.put("name", name);
        role.put("keyids", keyIds(spec));
        role.put("threshold", (long) spec.threshold());
        role.put("terminating", terminating);
        role.put("paths", new ArrayList<>(paths));
        @SuppressWarnings("unchecked")
        List<Object> roles = (List<Object>) d.get("roles");
        roles.add(role);
        writeVersioned("targets", signed, targetsSigners);
        Map<String, Object> child = header("targets", 1, targetsExpiry);
        child.put("targets", new LinkedHashMap<>());
        writeVersioned(name, child, delegateSigners);
    }

    /** Online step: new snapshot naming the newest version of every targets role, then a new timestamp. */
    public void refresh(List<TufSigner> snapshotSigners, List<TufSigner> timestampSigners) throws IOException, TufException {
        long snapVersion = Files.exists(metaDir.resolve("timestamp.json")) ? latestVersion("snapshot") + 1 : 1;
        Map<String, Object> snap = header("snapshot", snapVersion, snapshotExpiry);
        Map<String, Object> meta = new LinkedHashMap<>();
        for (String role : targetsRoles()) {
            long v = latestVersion(role);
            meta.put(role + ".json", metaEntry(v, Files.readAllBytes(metaDir.resolve(v + "." + Updater.Names.quote(role) + ".json"))));
        }
        snap.put("meta", meta);
        byte[] snapBytes = writeVersioned("snapshot", snap, snapshotSigners);
        long tsVersion = Files.exists(metaDir.resolve("timestamp.json"))
                ? Metadata.parse(Files.readAllBytes(metaDir.resolve("timestamp.json")), "timestamp").version() + 1 : 1;
        Map<String, Object> ts = header("timestamp", tsVersion, timestampExpiry);
        Map<String, Object> tsMeta = new LinkedHashMap<>();
        tsMeta.put("snapshot.json", metaEntry(snapVersion, snapBytes));
        ts.put("meta", tsMeta);
        AtomicFiles.write(metaDir.resolve("timestamp.json"), Signing.document(ts, timestampSigners));
    }

    /**
     * Runs the device's own client over the published files (from root v1, through every rotation, at
     * the repository clock's time) and returns the targets every client will see, or the exact refusal.
     */
    public List<TargetFile> check() throws IOException, TufException {
        Path scratch = Files.createTempDirectory("nanofleet-ota-check");
        try {
            Updater.initialize(scratch, Files.readAllBytes(metaDir.resolve("1.root.json")), clock);
            Updater u = new Updater(new io.nanofleet.ota.client.UpdaterConfig(scratch, metaDir.toUri(), targetsDir.toUri()),
                    new DirectoryFetcher(), clock);
            u.refresh();
            List<TargetFile> out = new ArrayList<>();
            for (String role : targetsRoles()) {
                for (String name : new Targets(latest(role)).targets().keySet()) {
                    out.add(u.getTargetInfo(name));
                }
            }
            return out;
        } finally {
            try (var files = Files.list(scratch)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(scratch);
        }
    }

    /** Newest root, e.g. to give devices their initial trust anchor. */
    public byte[] rootBytes() throws IOException, TufException {
        return Files.readAllBytes(metaDir.resolve(latestVersion("root") + ".root.json"));
    }

    public Root root() throws IOException, TufException {
        return new Root(latest("root"));
    }

    public long latestVersion(String role) throws IOException {
        String suffix = "." + Updater.Names.quote(role) + ".json";
        long best = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(metaDir, "*" + suffix)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                String prefix = f.substring(0, f.length() - suffix.length());
                if (prefix.matches("[0-9]+")) {
                    best = Math.max(best, Long.parseLong(prefix));
                }
            }
        }
        if (best == 0) {
            throw new IllegalStateException("no metadata for role " + role + " in " + metaDir + " (run init first?)");
        }
        return best;
    }

    public Metadata latest(String role) throws IOException, TufException {
        long v = latestVersion(role);
        return Metadata.parse(Files.readAllBytes(metaDir.resolve(v + "." + Updater.Names.quote(role) + ".json")), null);
    }

    private List<String> targetsRoles() throws IOException, TufException {
        List<String> out = new ArrayList<>();
        List<String> todo = new ArrayList<>(List.of("targets"));
        while (!todo.isEmpty()) {
            String r = todo.remove(0);
            if (out.contains(r)) {
                continue;
            }
            out.add(r);
            for (DelegatedRole d : new Targets(latest(r)).delegatedRoles()) {
                todo.add(d.name());
            }
        }
        return out;
    }

    private Map<String, Object> rootSigned(long version, Map<String, RoleSpec> roles) {
        Map<String, Object> s = header("root", version, rootExpiry);
        s.put("consistent_snapshot", true);
        Map<String, Object> keys = new LinkedHashMap<>();
        Map<String, Object> roleMap = new LinkedHashMap<>();
        for (String r : TOP_ROLES) {
            RoleSpec spec = roles.get(r);
            if (spec == null) {
                throw new IllegalArgumentException("root needs keys for role " + r);
            }
            addKeys(keys, spec);
            roleMap.put(r, roleEntry(spec));
        }
        s.put("keys", keys);
        s.put("roles", roleMap);
        RoleSpec director = roles.get(Root.DIRECTOR_ROLE);
        if (director != null) {
            addKeys(keys, director);
            Map<String, Object> nf = new LinkedHashMap<>();
            nf.put(Root.DIRECTOR_ROLE, roleEntry(director));
            s.put(Root.NANOFLEET_ROLES, nf);
        }
        return s;
    }

    private static void addKeys(Map<String, Object> keys, RoleSpec spec) {
        for (TufKey k : spec.keys()) {
            keys.put(k.keyId(), k.toMetadata());
        }
    }

    private static Map<String, Object> roleEntry(RoleSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("keyids", keyIds(spec));
        m.put("threshold", (long) spec.threshold());
        return m;
    }

    private static List<Object> keyIds(RoleSpec spec) {
        List<Object> ids = new ArrayList<>();
        for (TufKey k : spec.keys()) {
            if (!ids.contains(k.keyId())) {
                ids.add(k.keyId());
            }
        }
        return ids;
    }

    private Map<String, Object> header(String type, long version, Duration expiry) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("_type", type);
        s.put("spec_version", "1.0.31");
        s.put("version", version);
        s.put("expires", clock.instant().plus(expiry).truncatedTo(ChronoUnit.SECONDS).toString());
        return s;
    }

    private Map<String, Object> bump(Map<String, Object> signed, Duration expiry) {
        Map<String, Object> s = new LinkedHashMap<>(signed);
        s.put("version", (Long) signed.get("version") + 1);
        s.put("expires", clock.instant().plus(expiry).truncatedTo(ChronoUnit.SECONDS).toString());
        if (s.get("targets") instanceof Map) {
            s.put("targets", new LinkedHashMap<>((Map<?, ?>) s.get("targets")));
        }
        return s;
    }

    private static Map<String, Object> metaEntry(long version, byte[] data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("length", (long) data.length);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("sha256", Hashes.sha256Hex(data));
        m.put("hashes", h);
        return m;
    }

    private byte[] writeVersioned(String role, Map<String, Object> signed, List<TufSigner> signers) throws IOException {
        byte[] doc = Signing.document(signed, signers);
        AtomicFiles.write(metaDir.resolve(signed.get("version") + "." + Updater.Names.quote(role) + ".json"), doc);
        return doc;
    }
}
