package io.nanofleet.ota.metadata;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DelegatedRoleTest {
    @Test
    void globsMatchPerPathSegmentLikePythonTuf() {
        assertTrue(DelegatedRole.matches("models/*", "models/a.nfm"));
        assertFalse(DelegatedRole.matches("models/*", "models/x/a.nfm"), "'*' does not cross '/'");
        assertTrue(DelegatedRole.matches("models/*/*", "models/x/a.nfm"));
        assertTrue(DelegatedRole.matches("a?c", "abc"));
        assertFalse(DelegatedRole.matches("a.c", "abc"), "'.' is literal");
        assertFalse(DelegatedRole.matches("models/*", "agents/a"));
    }
}
