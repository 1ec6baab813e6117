package io.nanofleet.ota.client;

import io.nanofleet.ota.metadata.DelegatedRole;
import io.nanofleet.ota.metadata.Hashes;
import io.nanofleet.ota.metadata.MetaFile;
import io.nanofleet.ota.metadata.Metadata;
import io.nanofleet.ota.metadata.Root;
import io.nanofleet.ota.metadata.Snapshot;
import io.nanofleet.ota.metadata.Targets;
import io.nanofleet.ota.metadata.Timestamp;
import io.nanofleet.ota.metadata.TufException;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checks of TUF spec section 5, with no I/O: each update method takes untrusted bytes and either
 * accepts them into the trusted set or throws, leaving the set as it was (except where the spec wants a
 * newer but invalid document remembered as a rollback reference, see {@link #updateSnapshot}). Order is
 * enforced: root, then timestamp, then snapshot, then targets.
 */
public final class TrustedMetadata {
    private final Instant now;
    private Root root;
    private Timestamp timestamp;
    private Snapshot snapshot;
    private final Map<String, Targets> targets = new LinkedHashMap<>();

    /** Loads a root the caller already trusts (shipped with the device or persisted): self-signature checked. */
    public TrustedMetadata(byte[] rootData, Instant now) throws TufException {
        this.now = now;
        Root r = new Root(Metadata.parse(rootData, Root.TYPE));
        r.verify("root", r.metadata());
        this.root = r;
    }

    public Root root() {
        return root;
    }

    public Timestamp timestamp() {
        return timestamp;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    public Targets targets(String role) {
        return targets.get(role);
    }

    /** Spec 5.3: the next root must be signed by old and new root keys and be exactly one version newer. */
    public Root updateRoot(byte[] data) throws TufException {
        if (timestamp != null) {
            throw new IllegalStateException("root cannot change after timestamp was loaded");
        }
        Metadata md = Metadata.parse(data, Root.TYPE);
        root.verify("root", md);
        Root next = new Root(md);
        if (next.version() != root.version() + 1) {
            throw new TufException.VersionException("expected root v" + (root.version() + 1) + ", got v" + next.version());
        }
        next.verify("root", md);
        root = next;
        return next;
    }

    /** Spec 5.3.10: after the rotation chain, the final root must not be expired (freeze attack). */
    public void checkFinalRoot() throws TufException.ExpiredException {
        if (root.metadata().isExpired(now)) {
            throw new TufException.ExpiredException("root v" + root.version() + " expired at " + root.metadata().expires());
        }
    }

    /** Spec 5.4. */
    public Timestamp updateTimestamp(byte[] data) throws TufException {
        if (snapshot != null) {
            throw new IllegalStateException("timestamp cannot change after snapshot was loaded");
        }
        checkFinalRoot();
        Metadata md = Metadata.parse(data, Timestamp.TYPE);
        root.verify("timestamp", md);
        Timestamp next = new Timestamp(md);
        if (timestamp != null) {
            if (next.version() < timestamp.version()) {
                throw new TufException.VersionException("timestamp v" + next.version() + " is older than trusted v" + timestamp.version());
            }
            if (next.version() == timestamp.version()) {
                throw new TufException.EqualVersionException("timestamp v" + next.version() + " is already trusted");
            }
            if (next.snapshotMeta().version() < timestamp.snapshotMeta().version()) {
                throw new TufException.VersionException("timestamp names snapshot v" + next.snapshotMeta().version()
                        + ", older than trusted v" + timestamp.snapshotMeta().version());
            }
        }
        // Kept even if expired: it is still the best rollback reference for the next attempt.
        timestamp = next;
        checkFinalTimestamp();
        return next;
    }

    private void checkFinalTimestamp() throws TufException.ExpiredException {
        if (timestamp.metadata().isExpired(now)) {
            throw new TufException.ExpiredException("timestamp v" + timestamp.version() + " expired at " + timestamp.metadata().expires());
        }
    }

    /**
     * Spec 5.5. {@code trusted} skips the hash/length check for a copy read back from local storage (it
     * was checked when first accepted).
     */
    public Snapshot updateSnapshot(byte[] data, boolean trusted) throws TufException {
        if (timestamp == null) {
            throw new IllegalStateException("snapshot needs a trusted timestamp first");
        }
        if (!targets.isEmpty()) {
            throw new IllegalStateException("snapshot cannot change after targets were loaded");
        }
        checkFinalTimestamp();
        MetaFile ref = timestamp.snapshotMeta();
        if (!trusted) {
            Hashes.verify(data, ref.length(), ref.hashes(), "snapshot");
        }
        Metadata md = Metadata.parse(data, Snapshot.TYPE);
        root.verify("snapshot", md);
        Snapshot next = new Snapshot(md);
        if (snapshot != null) {
            for (Map.Entry<String, MetaFile> e : snapshot.meta().entrySet()) {
                MetaFile now2 = next.meta().get(e.getKey());
                if (now2 == null) {
                    throw new TufException.VersionException("snapshot v" + next.version() + " drops " + e.getKey());
                }
                if (now2.version() < e.getValue().version()) {
                    throw new TufException.VersionException(e.getKey() + " v" + now2.version()
                            + " in new snapshot is older than trusted v" + e.getValue().version());
                }
            }
        }
        snapshot = next;
        checkFinalSnapshot();
        return next;
    }

    private void checkFinalSnapshot() throws TufException {
        if (snapshot.metadata().isExpired(now)) {
            throw new TufException.ExpiredException("snapshot v" + snapshot.version() + " expired at " + snapshot.metadata().expires());
        }
        if (snapshot.version() != timestamp.snapshotMeta().version()) {
            throw new TufException.VersionException("snapshot v" + snapshot.version() + " but timestamp names v"
                    + timestamp.snapshotMeta().version());
        }
    }

    /** Spec 5.6 / 5.7: top-level targets (delegator "root") or a delegated role. */
    public Targets updateTargets(byte[] data, String roleName, String delegatorName, boolean trusted) throws TufException {
        if (snapshot == null) {
            throw new IllegalStateException("targets need a trusted snapshot first");
        }
        checkFinalSnapshot();
        MetaFile ref = snapshot.meta().get(roleName + ".json");
        if (ref == null) {
            throw new TufException.FormatException("snapshot does not list " + roleName + ".json");
        }
        if (!trusted) {
            Hashes.verify(data, ref.length(), ref.hashes(), roleName);
        }
        Metadata md = Metadata.parse(data, Targets.TYPE);
        if ("root".equals(delegatorName)) {
            root.verify("targets", md);
        } else {
            Targets parent = targets.get(delegatorName);
            if (parent == null) {
                throw new IllegalStateException("delegator " + delegatorName + " not loaded");
            }
            DelegatedRole role = null;
            for (DelegatedRole r : parent.delegatedRoles()) {
                if (r.name().equals(roleName)) {
                    role = r;
                }
            }
            if (role == null) {
                throw new TufException.FormatException(delegatorName + " does not delegate to " + roleName);
            }
            parent.verifyDelegate(role, md);
        }
        if (md.version() != ref.version()) {
            throw new TufException.VersionException(roleName + " v" + md.version() + " but snapshot names v" + ref.version());
        }
        if (md.isExpired(now)) {
            throw new TufException.ExpiredException(roleName + " v" + md.version() + " expired at " + md.expires());
        }
        Targets t = new Targets(md);
        targets.put(roleName, t);
        return t;
    }
}
