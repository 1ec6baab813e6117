package io.nanofleet.ota.director;

import com.google.protobuf.ByteString;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.repo.Signing;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.v1.Assignment;

import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Server side: signs per-device assignments. Thread-safe; keys are held by the caller. */
public final class DirectorSigner {
    private final List<TufSigner> keys;

    public DirectorSigner(List<TufSigner> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one director key");
        }
        this.keys = List.copyOf(keys);
    }

    /**
     * The message for {@code nf/v1/d/{deviceId}/ota}: the signed document, plus the device id and target
     * name in the clear so a device can name the target in progress reports before it has verified anything
     * (ota's {@link AssignmentVerifier} refuses a message whose clear target name differs from the signed one).
     * Nothing else is copied out of the signature.
     */
    public Assignment assignment(DirectorAssignment a) {
        return Codecs.ASSIGNMENT.stamp(Assignment.newBuilder().setDeviceId(a.deviceId()).setTargetName(a.targetName())
                .setSignedMetadata(ByteString.copyFrom(sign(a))).build());
    }

    /** The signed JSON document carried in {@link Assignment#getSignedMetadata()}. */
    public byte[] sign(DirectorAssignment a) {
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("name", a.targetName());
        target.put("length", a.length());
        target.put("hashes", new LinkedHashMap<>(new TreeMap<>(a.hashes())));
        target.put("hardwareId", a.hardwareId());
        target.put("releaseCounter", a.releaseCounter());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("_type", DirectorAssignment.TYPE);
        s.put("spec_version", "1.0.31");
        s.put("version", a.version());
        s.put("expires", a.expires().truncatedTo(ChronoUnit.SECONDS).toString());
        s.put("deviceId", a.deviceId());
        s.put("target", target);
        return Signing.document(s, keys);
    }
}
