package io.nanofleet.ota.metadata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** A delegation entry: role name, keys, threshold, terminating flag, and which target paths it may sign. */
public final class DelegatedRole {
    private final String name;
    private final Role role;
    private final boolean terminating;
    private final List<String> paths;
    private final List<String> pathHashPrefixes;

    DelegatedRole(String name, Role role, boolean terminating, List<String> paths, List<String> pathHashPrefixes) {
        this.name = name;
        this.role = role;
        this.terminating = terminating;
        this.paths = paths;
        this.pathHashPrefixes = pathHashPrefixes;
    }

    static DelegatedRole parse(Map<?, ?> m) throws TufException.FormatException {
        String name = Fields.str(m, "name", "delegations.roles[]");
        String where = "delegations.roles." + name;
        Role role = Role.parse(m, where);
        boolean term = Fields.bool(m, "terminating", false, where);
        boolean hasPaths = m.containsKey("paths");
        boolean hasPrefixes = m.containsKey("path_hash_prefixes");
        if (hasPaths == hasPrefixes) {
            throw new TufException.FormatException(where + " needs exactly one of paths, path_hash_prefixes");
        }
        List<String> values = new ArrayList<>();
        for (Object o : Fields.list(m, hasPaths ? "paths" : "path_hash_prefixes", where)) {
            if (!(o instanceof String)) {
                throw new TufException.FormatException(where + " path entries must be strings");
            }
            values.add((String) o);
        }
        return new DelegatedRole(name, role, term, hasPaths ? values : null, hasPaths ? null : values);
    }

    public String name() {
        return name;
    }

    public Role role() {
        return role;
    }

    public boolean terminating() {
        return terminating;
    }

    /** True when this role is trusted for {@code targetPath}. */
    public boolean isDelegatedPath(String targetPath) {
        if (paths != null) {
            for (String p : paths) {
                if (matches(p, targetPath)) {
                    return true;
                }
            }
            return false;
        }
        String h = Hashes.sha256Hex(targetPath.getBytes(StandardCharsets.UTF_8));
        for (String prefix : pathHashPrefixes) {
            if (h.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Spec semantics (as python-tuf): '/'-separated parts must pair up and each part is an fnmatch glob. */
    static boolean matches(String pattern, String path) {
        String[] pp = pattern.split("/", -1);
        String[] tp = path.split("/", -1);
        if (pp.length != tp.length) {
            return false;
        }
        for (int i = 0; i < pp.length; i++) {
            if (!Pattern.matches(globToRegex(pp[i]), tp[i])) {
                return false;
            }
        }
        return true;
    }

    private static String globToRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                sb.append(".*");
            } else if (c == '?') {
                sb.append('.');
            } else {
                sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return sb.toString();
    }
}
