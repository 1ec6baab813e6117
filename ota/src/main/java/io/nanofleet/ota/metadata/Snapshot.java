package io.nanofleet.ota.metadata;

import java.util.LinkedHashMap;
import java.util.Map;

/** Typed view of snapshot metadata: the version of every targets metadata file. */
public final class Snapshot {
    public static final String TYPE = "snapshot";
    private final Metadata md;
    private final Map<String, MetaFile> meta = new LinkedHashMap<>();

    public Snapshot(Metadata md) throws TufException.FormatException {
        if (!TYPE.equals(md.type())) {
            throw new TufException.FormatException("expected snapshot metadata, got " + md.type());
        }
        this.md = md;
        for (Map.Entry<String, Object> e : Fields.obj(md.signed(), "meta", "snapshot").entrySet()) {
            if (!(e.getValue() instanceof Map)) {
                throw new TufException.FormatException("snapshot.meta." + e.getKey() + " must be an object");
            }
            meta.put(e.getKey(), MetaFile.parse((Map<?, ?>) e.getValue(), "snapshot.meta." + e.getKey()));
        }
    }

    public Metadata metadata() {
        return md;
    }

    public long version() {
        return md.version();
    }

    /** Keyed by file name, e.g. "targets.json", "delegatedrole.json". */
    public Map<String, MetaFile> meta() {
        return meta;
    }
}
