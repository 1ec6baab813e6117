package io.nanofleet.server.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CertificateRegistryTest {
    final CertificateRegistry r = new CertificateRegistry(null); // issued/revoked never touch the store

    @Test
    void unknownDeviceIsNeitherEnrolledNorRevoked() {
        assertFalse(r.isEnrolled("pump-1"));
        assertFalse(r.isRevoked("pump-1"));
    }

    @Test
    void reEnrolledDeviceStaysEnrolledWhileOneCertificateIsValid() {
        r.issued("aa", "pump-1");
        r.issued("bb", "pump-1");
        r.revoked("aa");
        assertTrue(r.isEnrolled("pump-1"));
        assertFalse(r.isRevoked("pump-1"));
        assertNull(r.refusal("bb", "pump-1"));
        assertTrue(r.refusal("aa", "pump-1").contains("revoked"));
        r.revoked("bb");
        assertFalse(r.isEnrolled("pump-1"));
        assertTrue(r.isRevoked("pump-1"), "all certificates revoked");
        assertFalse(r.isEnrolled("pump-2"), "other devices unaffected");
    }

    @Test
    void certificateOfAnotherDeviceIsRefused() {
        r.issued("cc", "pump-3");
        assertEquals("certificate cc belongs to pump-3, not pump-4", r.refusal("cc", "pump-4"));
        r.revoked("unknown-serial");
        assertTrue(r.isEnrolled("pump-3"));
    }
}
