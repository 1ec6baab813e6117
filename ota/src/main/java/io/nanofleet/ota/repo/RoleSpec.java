package io.nanofleet.ota.repo;

import io.nanofleet.ota.crypto.TufKey;

import java.util.List;

/** Keys trusted for a role and how many must sign. */
public record RoleSpec(List<TufKey> keys, int threshold) {
    public RoleSpec {
        keys = List.copyOf(keys);
        if (threshold < 1 || threshold > keys.size()) {
            throw new IllegalArgumentException("threshold " + threshold + " needs between 1 and " + keys.size() + " keys");
        }
    }

    public static RoleSpec of(int threshold, TufKey... keys) {
        return new RoleSpec(List.of(keys), threshold);
    }
}
