package io.nanofleet.ota.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Which keys may sign a role and how many of them must. */
public final class Role {
    private final List<String> keyids;
    private final int threshold;

    public Role(List<String> keyids, int threshold) {
        this.keyids = List.copyOf(keyids);
        this.threshold = threshold;
    }

    static Role parse(Map<?, ?> m, String where) throws TufException.FormatException {
        long t = Fields.positive(m, "threshold", where);
        if (t > Integer.MAX_VALUE) {
            throw new TufException.FormatException(where + ".threshold too large");
        }
        List<String> ids = new ArrayList<>();
        for (Object o : Fields.list(m, "keyids", where)) {
            if (!(o instanceof String)) {
                throw new TufException.FormatException(where + ".keyids must hold strings");
            }
            if (ids.contains(o)) {
                throw new TufException.FormatException(where + ".keyids lists " + o + " twice");
            }
            ids.add((String) o);
        }
        return new Role(ids, (int) t);
    }

    public List<String> keyids() {
        return keyids;
    }

    public int threshold() {
        return threshold;
    }
}
