package io.nanofleet.ota.metadata;

/** Typed view of timestamp metadata: which snapshot is current. */
public final class Timestamp {
    public static final String TYPE = "timestamp";
    private final Metadata md;
    private final MetaFile snapshotMeta;

    public Timestamp(Metadata md) throws TufException.FormatException {
        if (!TYPE.equals(md.type())) {
            throw new TufException.FormatException("expected timestamp metadata, got " + md.type());
        }
        this.md = md;
        java.util.Map<String, Object> meta = Fields.obj(md.signed(), "meta", "timestamp");
        if (meta.size() != 1 || !(meta.get("snapshot.json") instanceof java.util.Map)) {
            throw new TufException.FormatException("timestamp.meta must hold exactly snapshot.json");
        }
        this.snapshotMeta = MetaFile.parse((java.util.Map<?, ?>) meta.get("snapshot.json"), "timestamp.meta.snapshot.json");
    }

    public Metadata metadata() {
        return md;
    }

    public long version() {
        return md.version();
    }

    public MetaFile snapshotMeta() {
        return snapshotMeta;
    }
}
