package io.nanofleet.server.models;

import io.nanofleet.ota.crypto.TufKey;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.director.DirectorAssignment;
import io.nanofleet.ota.director.DirectorSigner;
import io.nanofleet.ota.metadata.Metadata;
import io.nanofleet.ota.metadata.Root;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.Targets;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.repo.OnlineKeys;
import io.nanofleet.ota.repo.PublishException;
import io.nanofleet.ota.repo.Repository;
import io.nanofleet.ota.repo.RoleSpec;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.server.StartupException;
import io.nanofleet.server.coap.TargetSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's update repository (TUF 1.0, via the ota module's tooling) as the server runs it. By default
 * (offline keys) the server creates only its online keys at first start (snapshot, timestamp, director)
 * and has no root until an admin uploads root v1 and targets v1 signed on the operator's machine
 * ({@link #installRoot}); models are then published as targets metadata signed offline with the ota CLI.
 * With {@code onlineTargetsKey} the server creates root and targets keys itself and signs models with them
 * (whoever copies the data directory can then publish models devices install). The online snapshot and
 * timestamp keys keep metadata fresh; the director key signs per-device assignments. Thread-safe: every
 * write is under this object's lock.
 */
public final class ModelRepository implements TargetSource {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRepository.class);
    static final List<String> ROLES = List.of("root", "targets", "snapshot", "timestamp", Root.DIRECTOR_ROLE);
    static final String NO_ROOT = io.nanofleet.server.identity.TrustedRootSource.NO_ROOT;
    private static final Pattern METADATA_NAME = Pattern.compile("([0-9]{1,18}\\.)?(root|targets|snapshot|timestamp)\\.json");

    private final Repository repo;
    private final Clock clock;
    private final Optional<TufSigner> targetsKey;
    private final TufSigner snapshotKey;
    private final TufSigner timestampKey;
    private final TufSigner directorKey;
    private final DirectorSigner director;
    private final Duration timestampExpiry;
    /** Director versions must rise per device; milliseconds since the epoch rise across restarts too. */
    private final AtomicLong lastDirectorVersion = new AtomicLong();

    private ModelRepository(Repository repo, Clock clock, Optional<TufSigner> targetsKey, TufSigner snapshotKey,
                            TufSigner timestampKey, TufSigner directorKey, Duration timestampExpiry) {
        this.repo = repo;
        this.clock = clock;
        this.targetsKey = targetsKey;
        this.snapshotKey = snapshotKey;
        this.timestampKey = timestampKey;
        this.directorKey = directorKey;
        this.director = new DirectorSigner(List.of(directorKey));
        this.timestampExpiry = timestampExpiry;
    }

    /** The default: offline root and targets keys (see {@link #openOrCreate(Path, Clock, Duration, boolean)}). */
    public static ModelRepository openOrCreate(Path dataDir, Clock clock, Duration timestampExpiry) {
        return openOrCreate(dataDir, clock, timestampExpiry, false);
    }

    /**
     * Opens the repository under {@code <dataDir>/tuf}, creating the online keys (snapshot, timestamp,
     * director) on first start. With {@code onlineTargetsKey} and no root yet, it also creates root and
     * targets keys and root v1, as servers did before offline keys were the default. A data directory that
     * already holds root or targets keys keeps working as it is (online signing), with a warning.
     */
    public static ModelRepository openOrCreate(Path dataDir, Clock clock, Duration timestampExpiry, boolean onlineTargetsKey) {
        RepositoryKeys keys = RepositoryKeys.open(dataDir);
        Repository repo = new Repository(dataDir.resolve("tuf"), clock)
                .expiries(Duration.ofDays(365), Duration.ofDays(90), timestampExpiry.multipliedBy(7), timestampExpiry);
        try {
            List<String> create = onlineTargetsKey && !repo.hasRoot() ? ROLES : OnlineKeys.ROLES;
            Map<String, TufSigner> fresh = new LinkedHashMap<>();
            for (String role : create) {
                fresh.put(role, keys.has(role) ? keys.load(role).orElseThrow() : keys.generate(role));
            }
            if (!repo.hasRoot() && onlineTargetsKey) {
                Map<String, RoleSpec> specs = new LinkedHashMap<>();
                Map<String, List<TufSigner>> signers = new LinkedHashMap<>();
                fresh.forEach((role, s) -> {
                    specs.put(role, RoleSpec.of(1, s.publicKey()));
                    signers.put(role, List.of(s));
                });
                repo.init(specs, signers);
            }
            if (!onlineTargetsKey && (keys.has("root") || keys.has("targets"))) {
                // A data directory made before offline keys were the default: it keeps working as it is.
                LOG.warn("{} holds the update channel's root/targets keys: whoever copies the data directory can publish "
                        + "models that devices install. To sign offline, move root.key and targets.key (with their password) "
                        + "to the operator's machine and publish with targets metadata signed there; a new server with the "
                        + "default offline keys never creates them (fleet-server/README.md, 'Offline keys').",
                        keys.file("root").getParent());
            }
            if (!repo.hasRoot()) {
                LOG.warn("{}: enrollment and model uploads wait for it (offline keys: nanofleet-ota init --online-keys with the "
                        + "keys from GET /api/v1/tuf/online-keys, then POST /api/v1/tuf/root; or serve --online-targets-key)", NO_ROOT);
            }
            TufSigner snapshot = required(keys, "snapshot");
            TufSigner timestamp = required(keys, "timestamp");
            TufSigner directorKey = required(keys, Root.DIRECTOR_ROLE);
            return new ModelRepository(repo, clock, keys.load("targets"), snapshot, timestamp, directorKey, timestampExpiry);
        } catch (IOException | TufException e) {
            throw new StartupException("cannot open the update repository under " + dataDir.resolve("tuf") + ": "
                    + e.getMessage(), e);
        }
    }

    private static TufSigner required(RepositoryKeys keys, String role) {
        return keys.load(role).orElseThrow(() -> new StartupException("the online " + role + " key "
                + keys.file(role) + " is missing; the server signs " + role + " metadata and cannot run without it."));
    }

    /** True once the repository has root v1 (created here with an online targets key, or uploaded by an admin). */
    public boolean hasRoot() {
        return repo.hasRoot();
    }

    /** The public keys the server signs with online, by role (what the operator's root must list). */
    public Map<String, TufKey> onlineKeys() {
        Map<String, TufKey> m = new LinkedHashMap<>();
        m.put("snapshot", snapshotKey.publicKey());
        m.put("timestamp", timestampKey.publicKey());
        m.put(Root.DIRECTOR_ROLE, directorKey.publicKey());
        return m;
    }

    /**
     * Starts the update channel from root v1 and targets v1 signed on the operator's machine
     * ({@code nanofleet-ota init --online-keys}), through ota's {@link Repository#initFromSigned}: root must
     * be self-signed to its threshold and name exactly this server's online keys, targets must verify against
     * root's targets keys. Then snapshot and timestamp are signed. Nothing changes unless all checks pass.
     */
    public synchronized Root installRoot(byte[] rootJson, byte[] targetsJson) throws IOException, TufException, ModelException {
        Map<String, List<TufKey>> online = new LinkedHashMap<>();
        onlineKeys().forEach((role, k) -> online.put(role, List.of(k)));
        Root root;
        try {
            root = repo.initFromSigned(rootJson, targetsJson, online);
        } catch (PublishException e) {
            throw new ModelException(reason(e.reason()), e.getMessage(), e);
        }
        repo.refresh(List.of(snapshotKey), List.of(timestampKey));
        return root;
    }

    private void requireRoot() throws ModelException {
        if (!repo.hasRoot()) {
            throw new ModelException(ModelException.Reason.NO_ROOT, NO_ROOT + ": on the operator's machine run nanofleet-ota "
                    + "init --online-keys FILE (FILE from GET /api/v1/tuf/online-keys), then POST both documents to "
                    + "/api/v1/tuf/root");
        }
    }

    /** True when the server holds the targets key and may publish models without offline signing. */
    public boolean hasOnlineTargetsKey() {
        return targetsKey.isPresent();
    }

    /**
     * Publishes a model signed with the online targets key, then refreshes snapshot and timestamp. A published
     * name is immutable (ota's {@link Repository#addTarget}): the same file and fields again change nothing.
     */
    public synchronized TargetFile publish(Path file, String name, TargetKind kind, List<String> hardwareIds,
                                           long releaseCounter) throws IOException, TufException, ModelException {
        requireRoot();
        if (targetsKey.isEmpty()) {
            throw new ModelException(ModelException.Reason.NO_TARGETS_KEY, "this server holds no targets key: sign targets "
                    + "metadata offline (nanofleet-ota add-target --repo <operator repo> --file ... --key targets.key) and "
                    + "upload it with the model: -F targetsMetadata=@<operator repo>/metadata/N.targets.json");
        }
        TargetFile t;
        long version = repo.latestVersion("targets");
        try {
            t = repo.addTarget(file, name, kind.custom(hardwareIds, releaseCounter), "targets", List.of(targetsKey.get()));
        } catch (PublishException e) {
            throw new ModelException(reason(e.reason()), e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ModelException(ModelException.Reason.INVALID_TARGET, e.getMessage(), e);
        }
        if (repo.latestVersion("targets") != version) {
            repo.refresh(List.of(snapshotKey), List.of(timestampKey));
        }
        return t;
    }

    /**
     * Publishes a model with targets metadata signed offline, through ota's
     * {@link Repository#publishSignedTargets}: the metadata must verify against root's targets keys, be the
     * next version, and list {@code name} with exactly this file's length and hashes. Nothing changes
     * unless all of that holds.
     */
    public synchronized TargetFile publishSigned(Path file, String name, byte[] targetsJson)
            throws IOException, TufException, ModelException {
        requireRoot();
        Targets published;
        try {
            published = repo.publishSignedTargets(targetsJson, Map.of(name, file));
        } catch (PublishException e) {
            throw new ModelException(reason(e.reason()), e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ModelException(ModelException.Reason.INVALID_TARGET, e.getMessage(), e);
        }
        repo.refresh(List.of(snapshotKey), List.of(timestampKey));
        return published.targets().get(name);
    }

    private static ModelException.Reason reason(PublishException.Reason r) {
        return switch (r) {
            case NOT_TARGETS_METADATA, BAD_SIGNATURE, EXPIRED, NOT_ROOT_METADATA -> ModelException.Reason.INVALID_METADATA;
            case ONLINE_KEYS_DIFFER -> ModelException.Reason.ONLINE_KEYS_DIFFER;
            case WRONG_VERSION -> ModelException.Reason.STALE_VERSION;
            case ROOT_EXISTS -> ModelException.Reason.ROOT_EXISTS;
            case NOT_LISTED, MISMATCH, MISSING_TARGET -> ModelException.Reason.FILE_MISMATCH;
            case TARGET_IMMUTABLE -> ModelException.Reason.TARGET_IMMUTABLE;
            case RELEASE_COUNTER_LOWERED -> ModelException.Reason.RELEASE_COUNTER_LOWERED;
        };
    }

    /**
     * Re-signs snapshot and timestamp when the timestamp is past half its lifetime, so devices never
     * see expired online metadata while the server runs. Returns true when it signed.
     */
    public synchronized boolean refreshIfDue() throws IOException, TufException {
        if (!repo.hasRoot()) {
            return false;
        }
        Metadata ts = Metadata.parse(Files.readAllBytes(repo.metadataDir().resolve("timestamp.json")), "timestamp");
        Instant due = ts.expires().minus(timestampExpiry.dividedBy(2));
        if (clock.instant().isBefore(due)) {
            return false;
        }
        repo.refresh(List.of(snapshotKey), List.of(timestampKey));
        return true;
    }

    /** Published models, newest targets metadata. */
    public synchronized List<TargetFile> models() throws IOException, TufException {
        if (!repo.hasRoot()) {
            return List.of();
        }
        return new ArrayList<>(new Targets(repo.latest("targets")).targets().values());
    }

    public synchronized Optional<TargetFile> model(String name) throws IOException, TufException {
        if (!repo.hasRoot()) {
            return Optional.empty();
        }
        return Optional.ofNullable(new Targets(repo.latest("targets")).targets().get(name));
    }

    /** A metadata file as published ({@code N.root.json}, {@code timestamp.json}, ...), or empty. */
    public Optional<byte[]> metadata(String fileName) throws IOException {
        if (!METADATA_NAME.matcher(fileName).matches()) {
            return Optional.empty();
        }
        Path p = repo.metadataDir().resolve(fileName);
        return Files.exists(p) ? Optional.of(Files.readAllBytes(p)) : Optional.empty();
    }

    /** The newest root: what devices trust (handed out at enrollment). */
    public Root rootForDevices() throws IOException, TufException {
        return repo.root();
    }

    public byte[] rootBytes() throws IOException, TufException {
        return repo.rootBytes();
    }

    /** By logical name (resolved through the newest targets metadata) or by its consistent-snapshot file name. */
    @Override
    public Optional<Path> target(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("..") || name.contains("\\")) {
            return Optional.empty();
        }
        try {
            Optional<TargetFile> t = model(name);
            Path p = t.isPresent()
                    ? repo.targetsDir().resolve(t.get().consistentName())
                    : repo.targetsDir().resolve(name);
            return p.normalize().startsWith(repo.targetsDir().normalize()) && Files.isRegularFile(p) ? Optional.of(p)
                    : Optional.empty();
        } catch (IOException | TufException e) {
            return Optional.empty();
        }
    }

    /** A director-signed assignment of {@code target} to one device, as sent on {@code nf/v1/d/{id}/ota}. */
    public Assignment assign(String deviceId, String hardwareId, TargetFile target) {
        long version = lastDirectorVersion.updateAndGet(last -> Math.max(last + 1, clock.millis()));
        return director.assignment(DirectorAssignment.of(deviceId, hardwareId, target, version,
                clock.instant().plus(Duration.ofDays(7))));
    }
}
