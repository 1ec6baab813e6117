package io.nanofleet.ota.metadata;

import java.util.Map;

/** A reference to a metadata file in timestamp or snapshot: version, optional length and hashes. */
public final class MetaFile {
    private final long version;
    private final Long length;
    private final Map<String, String> hashes;

    public MetaFile(long version, Long length, Map<String, String> hashes) {
        this.version = version;
        this.length = length;
        this.hashes = hashes;
    }

    static MetaFile parse(Map<?, ?> m, String where) throws TufException.FormatException {
        long v = Fields.positive(m, "version", where);
        Long len = m.containsKey("length") ? Fields.nonNegative(m, "length", where) : null;
        Map<String, String> h = m.containsKey("hashes") ? Hashes.parse(Fields.obj(m, "hashes", where), where) : null;
        return new MetaFile(v, len, h);
    }

    public long version() {
        return version;
    }

    /** Null when the referencing metadata does not pin a length. */
    public Long length() {
        return length;
    }

    public Map<String, String> hashes() {
        return hashes;
    }
}
