package io.nanofleet.server.api.auth;

import java.util.Locale;

/** Operator roles, each including the ones before it: a viewer reads, an operator acts, an admin manages. */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    public boolean includes(Role required) {
        return ordinal() >= required.ordinal();
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses "viewer"/"operator"/"admin"; null when it is none of those. */
    public static Role parse(String s) {
        if (s == null) {
            return null;
        }
        for (Role r : values()) {
            if (r.wireName().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        return null;
    }
}
