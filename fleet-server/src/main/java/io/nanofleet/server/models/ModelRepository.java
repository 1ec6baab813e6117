package io.nanofleet.server.models;

import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.director.DirectorAssignment;
import io.nanofleet.ota.director.DirectorSigner;
import io.nanofleet.ota.metadata.Metadata;
import io.nanofleet.ota.metadata.Root;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.Targets;
import io.nanofleet.ota.metadata.TufException;
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

/**
 * The fleet's update repository (TUF 1.0, via the ota module's tooling) as the server runs it: keys and
 * repository are created at first start under the data directory; models are published into targets
 * (signed with the online targets key, or as targets metadata signed offline with the ota CLI); the
 * online snapshot and timestamp keys keep their metadata fresh; and the director key signs per-device
 * assignments. Thread-safe: every write is under this object's lock.
 */
public final class ModelRepository implements TargetSource {
    static final List<String> ROLES = List.of("root", "targets", "snapshot", "timestamp", Root.DIRECTOR_ROLE);
    private static final Pattern METADATA_NAME = Pattern.compile("([0-9]{1,18}\\.)?(root|targets|snapshot|timestamp)\\.json");

    private final Repository repo;
    private final Clock clock;
    private final Optional<TufSigner> targetsKey;
    private final TufSigner snapshotKey;
    private final TufSigner timestampKey;
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
        this.director = new DirectorSigner(List.of(directorKey));
        this.timestampExpiry = timestampExpiry;
    }

    /**
     * Opens the repository under {@code <dataDir>/tuf}, creating keys and root v1 on first start. The
     * targets key may later be removed from the server (offline signing only); snapshot, timestamp and
     * director keys must stay: they are the online roles.
     */
    public static ModelRepository openOrCreate(Path dataDir, Clock clock, Duration timestampExpiry) {
        RepositoryKeys keys = RepositoryKeys.open(dataDir);
        Repository repo = new Repository(dataDir.resolve("tuf"), clock)
                .expiries(Duration.ofDays(365), Duration.ofDays(90), timestampExpiry.multipliedBy(7), timestampExpiry);
        try {
            if (!Files.exists(repo.metadataDir().resolve("1.root.json"))) {
                Map<String, TufSigner> fresh = new LinkedHashMap<>();
                for (String role : ROLES) {
                    fresh.put(role, keys.has(role) ? keys.load(role).orElseThrow() : keys.generate(role));
                }
                Map<String, RoleSpec> specs = new LinkedHashMap<>();
                Map<String, List<TufSigner>> signers = new LinkedHashMap<>();
                fresh.forEach((role, s) -> {
                    specs.put(role, RoleSpec.of(1, s.publicKey()));
                    signers.put(role, List.of(s));
                });
                repo.init(specs, signers);
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
        if (targetsKey.isEmpty()) {
            throw new ModelException(ModelException.Reason.NO_TARGETS_KEY, "this server holds no targets key: sign targets "
                    + "metadata offline with the ota CLI and upload it with the model (field targetsMetadata)");
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
            case NOT_TARGETS_METADATA, BAD_SIGNATURE, EXPIRED -> ModelException.Reason.INVALID_METADATA;
            case WRONG_VERSION -> ModelException.Reason.STALE_VERSION;
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
        return new ArrayList<>(new Targets(repo.latest("targets")).targets().values());
    }

    public synchronized Optional<TargetFile> model(String name) throws IOException, TufException {
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
