package io.nanofleet.ota.client;

import io.nanofleet.ota.metadata.DelegatedRole;
import io.nanofleet.ota.metadata.Hashes;
import io.nanofleet.ota.metadata.MetaFile;
import io.nanofleet.ota.metadata.Root;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.Targets;
import io.nanofleet.ota.metadata.TufException;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TUF client workflow (spec section 5): fetch, verify, persist. Local files use non-versioned names
 * (root.json, timestamp.json, ...) and are replaced atomically, only after the new document passed every
 * check, so a failed refresh leaves the last trusted state on disk.
 */
public final class Updater {
    private final UpdaterConfig cfg;
    private final Fetcher fetcher;
    private final Clock clock;
    private TrustedMetadata trusted;

    public Updater(UpdaterConfig cfg, Fetcher fetcher, Clock clock) {
        this.cfg = cfg;
        this.fetcher = fetcher;
        this.clock = clock;
    }

    /** Installs a trust anchor: the root is checked to be self-signed before it is written. */
    public static void initialize(Path metadataDir, byte[] rootData, Clock clock) throws TufException, IOException {
        new TrustedMetadata(rootData, clock.instant());
        Files.createDirectories(metadataDir);
        AtomicFiles.write(metadataDir.resolve("root.json"), rootData);
    }

    /** Runs the whole refresh: root chain, timestamp, snapshot, top-level targets. */
    public void refresh() throws TufException, IOException {
        byte[] rootData;
        try {
            rootData = Files.readAllBytes(cfg.metadataDir.resolve("root.json"));
        } catch (NoSuchFileException e) {
            throw new TufException.FormatException("no trusted root in " + cfg.metadataDir + ": run init first", e);
        }
        trusted = new TrustedMetadata(rootData, clock.instant());
        updateRoot();
        updateTimestamp();
        updateSnapshot();
        loadTargets("targets", "root");
    }

    public TrustedMetadata trusted() {
        return trusted;
    }

    private void updateRoot() throws TufException, IOException {
        long lower = trusted.root().version() + 1;
        long upper = lower + cfg.maxRootRotations;
        for (long v = lower; v < upper; v++) {
            byte[] data;
            try {
                data = fetcher.fetch(metadataUri(v + ".root.json"), cfg.rootMaxLength);
            } catch (TufException.FetchException e) {
                if (e.notFound()) {
                    break;
                }
                throw e;
            }
            trusted.updateRoot(data);
            persist("root", data);
        }
        trusted.checkFinalRoot();
    }

    private void updateTimestamp() throws TufException, IOException {
        byte[] local = readLocal("timestamp");
        if (local != null) {
            try {
                trusted.updateTimestamp(local);
            } catch (TufException e) {
                // Not usable as reference (expired, or keys rotated away by a new root): recover without it.
            }
        }
        byte[] data = fetcher.fetch(metadataUri("timestamp.json"), cfg.timestampMaxLength);
        try {
            trusted.updateTimestamp(data);
        } catch (TufException.EqualVersionException e) {
            return;
        }
        persist("timestamp", data);
    }

    private void updateSnapshot() throws TufException, IOException {
        byte[] local = readLocal("snapshot");
        if (local != null) {
            try {
                trusted.updateSnapshot(local, true);
                return;
            } catch (TufException e) {
                // Stale or invalid local copy: fetch the one timestamp names.
            }
        }
        MetaFile ref = trusted.timestamp().snapshotMeta();
        long max = ref.length() != null ? ref.length() : cfg.snapshotMaxLength;
        String name = trusted.root().consistentSnapshot() ? ref.version() + ".snapshot.json" : "snapshot.json";
        byte[] data = fetcher.fetch(metadataUri(name), max);
        trusted.updateSnapshot(data, false);
        persist("snapshot", data);
    }

    private Targets loadTargets(String role, String delegator) throws TufException, IOException {
        Targets have = trusted.targets(role);
        if (have != null) {
            return have;
        }
        byte[] local = readLocal(role);
        if (local != null) {
            try {
                return trusted.updateTargets(local, role, delegator, true);
            } catch (TufException e) {
                // fall through to download
            }
        }
        MetaFile ref = trusted.snapshot().meta().get(role + ".json");
        if (ref == null) {
            throw new TufException.FormatException("snapshot does not list " + role + ".json");
        }
        long max = ref.length() != null ? ref.length() : cfg.targetsMaxLength;
        String name = trusted.root().consistentSnapshot() ? ref.version() + "." + Names.quote(role) + ".json"
                : Names.quote(role) + ".json";
        byte[] data = fetcher.fetch(metadataUri(name), max);
        Targets t = trusted.updateTargets(data, role, delegator, false);
        persist(role, data);
        return t;
    }

    /**
     * Finds a target by preorder depth-first search of the delegation tree (spec 5.7.7), bounded by
     * maxDelegations. Call {@link #refresh()} first.
     */
    public TargetFile getTargetInfo(String targetPath) throws TufException, IOException {
        if (trusted == null || trusted.snapshot() == null) {
            throw new IllegalStateException("refresh() first");
        }
        Deque<String[]> stack = new ArrayDeque<>();
        stack.push(new String[] {"targets", "root"});
        Set<String> visited = new HashSet<>();
        int count = 0;
        while (!stack.isEmpty() && count < cfg.maxDelegations) {
            String[] next = stack.pop();
            if (!visited.add(next[0])) {
                continue;
            }
            count++;
            Targets t = loadTargets(next[0], next[1]);
            TargetFile hit = t.targets().get(targetPath);
            if (hit != null) {
                return hit;
            }
            List<DelegatedRole> roles = t.delegatedRoles();
            Deque<String[]> children = new ArrayDeque<>();
            for (DelegatedRole r : roles) {
                if (r.isDelegatedPath(targetPath)) {
                    children.add(new String[] {r.name(), next[0]});
                    if (r.terminating()) {
                        stack.clear();
                        break;
                    }
                }
            }
            while (!children.isEmpty()) {
                stack.push(children.pollLast());
            }
        }
        throw new TufException.TargetNotFoundException("no trusted metadata lists target " + targetPath);
    }

    /** Remote location of a target, hash-prefixed when the repository uses consistent snapshots. */
    public URI targetUri(TargetFile target) {
        if (cfg.targetBaseUri == null) {
            throw new IllegalStateException("no target base URI configured");
        }
        String path = trusted.root().consistentSnapshot() ? target.consistentName() : target.name();
        return cfg.targetBaseUri.resolve(Names.quotePath(path));
    }

    /** Downloads a (small) target into memory with length cap and hash check, e.g. for the conformance CLI. */
    public byte[] downloadTarget(TargetFile target) throws TufException {
        byte[] data = fetcher.fetch(targetUri(target), target.length());
        Hashes.verify(data, target.length(), target.hashes(), "target " + target.name());
        return data;
    }

    /** The trusted root after refresh (the director check needs its NanoFleet roles). */
    public Root root() {
        return trusted.root();
    }

    private URI metadataUri(String fileName) {
        return cfg.metadataBaseUri.resolve(fileName);
    }

    private byte[] readLocal(String role) throws IOException {
        try {
            return Files.readAllBytes(cfg.metadataDir.resolve(Names.quote(role) + ".json"));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private void persist(String role, byte[] data) throws IOException {
        AtomicFiles.write(cfg.metadataDir.resolve(Names.quote(role) + ".json"), data);
    }

    /** URL-style quoting as python-tuf uses for role names in file names and URLs. */
    public static final class Names {
        private Names() {
        }

        public static String quote(String s) {
            StringBuilder sb = new StringBuilder();
            for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '_' || c == '.' || c == '-' || c == '~') {
                    sb.append((char) c);
                } else {
                    sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
                }
            }
            return sb.toString();
        }

        static String quotePath(String path) {
            String[] parts = path.split("/", -1);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) {
                    sb.append('/');
                }
                sb.append(quote(parts[i]));
            }
            return sb.toString();
        }
    }
}
