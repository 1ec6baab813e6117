package io.nanofleet.ota.director;

import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.metadata.Metadata;
import io.nanofleet.ota.metadata.Role;
import io.nanofleet.ota.metadata.Root;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.protocols.v1.Assignment;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * Device side, Uptane style: an assignment is accepted only if the director (threshold of the root-listed
 * director keys) AND the image repository (full TUF refresh) agree on the same bytes, the target is built
 * for this device's hardware, and its release counter is not below what the device runs. The counter and
 * hardware ids come from the image repository, so a stolen director key alone can neither push an
 * unlisted build nor force a downgrade.
 */
public final class AssignmentVerifier {
    private final String deviceId;
    private final String hardwareId;

    public AssignmentVerifier(String deviceId, String hardwareId) {
        this.deviceId = deviceId;
        this.hardwareId = hardwareId;
    }

    /** Parsed and signature-checked assignment, before any cross-check with the image repository. */
    public DirectorAssignment parse(byte[] doc, Root root, Instant now, long lastAcceptedVersion) throws TufException {
        Metadata md = Metadata.parse(doc, DirectorAssignment.TYPE);
        Role director = root.nanofleetRole(Root.DIRECTOR_ROLE);
        if (director == null) {
            throw new TufException.AssignmentException("trusted root lists no " + Root.NANOFLEET_ROLES + "."
                    + Root.DIRECTOR_ROLE + " role; cannot accept assignments");
        }
        md.verifyThreshold(Root.DIRECTOR_ROLE, director, root.keys());
        if (md.isExpired(now)) {
            throw new TufException.ExpiredException("assignment v" + md.version() + " expired at " + md.expires());
        }
        if (md.version() < lastAcceptedVersion) {
            throw new TufException.VersionException("assignment v" + md.version() + " is older than accepted v" + lastAcceptedVersion);
        }
        Map<String, Object> s = md.signed();
        Object t = s.get("target");
        if (!(s.get("deviceId") instanceof String) || !(t instanceof Map)) {
            throw new TufException.FormatException("assignment needs deviceId and target");
        }
        Map<?, ?> tm = (Map<?, ?>) t;
        if (!(tm.get("name") instanceof String) || !(tm.get("length") instanceof Long) || !(tm.get("hashes") instanceof Map)
                || !(tm.get("hardwareId") instanceof String) || !(tm.get("releaseCounter") instanceof Long)) {
            throw new TufException.FormatException("assignment target needs name, length, hashes, hardwareId, releaseCounter");
        }
        Map<String, String> hashes = new java.util.LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) tm.get("hashes")).entrySet()) {
            if (!(e.getValue() instanceof String)) {
                throw new TufException.FormatException("assignment hashes must be strings");
            }
            hashes.put((String) e.getKey(), (String) e.getValue());
        }
        return new DirectorAssignment((String) s.get("deviceId"), (String) tm.get("name"), (Long) tm.get("length"),
                hashes, (String) tm.get("hardwareId"), (Long) tm.get("releaseCounter"), md.version(), md.expires());
    }

    /**
     * As {@link #parse(byte[], Root, Instant, long)} for the whole message: the only other field it may
     * carry that means anything, the target name in the clear, must then be the signed one (or empty).
     */
    public DirectorAssignment parse(Assignment message, Root root, Instant now, long lastAcceptedVersion) throws TufException {
        DirectorAssignment a = parse(message.getSignedMetadata().toByteArray(), root, now, lastAcceptedVersion);
        if (!message.getTargetName().isEmpty() && !message.getTargetName().equals(a.targetName())) {
            throw new TufException.AssignmentException("assignment names target " + message.getTargetName()
                    + " but the director signed " + a.targetName());
        }
        return a;
    }

    /** An assignment that passed every check, with the image repository's view of its target. */
    public record Verified(DirectorAssignment assignment, TargetFile target) {
    }

    /**
     * Full check. {@code imageRepo} must have been refreshed. Returns the image repository's description
     * of the target, which is what the download is verified against.
     */
    public TargetFile verify(byte[] doc, Updater imageRepo, Instant now, long lastAcceptedVersion, long installedReleaseCounter)
            throws TufException, IOException {
        return check(doc, imageRepo, now, lastAcceptedVersion, installedReleaseCounter).target();
    }

    /** As {@link #verify}, also returning the parsed assignment (its version is recorded after install). */
    public Verified check(byte[] doc, Updater imageRepo, Instant now, long lastAcceptedVersion, long installedReleaseCounter)
            throws TufException, IOException {
        return crossCheck(parse(doc, imageRepo.root(), now, lastAcceptedVersion), imageRepo, installedReleaseCounter);
    }

    /** As {@link #check(byte[], Updater, Instant, long, long)} for the whole message (see {@link #parse(Assignment, Root, Instant, long)}). */
    public Verified check(Assignment message, Updater imageRepo, Instant now, long lastAcceptedVersion, long installedReleaseCounter)
            throws TufException, IOException {
        return crossCheck(parse(message, imageRepo.root(), now, lastAcceptedVersion), imageRepo, installedReleaseCounter);
    }

    private Verified crossCheck(DirectorAssignment a, Updater imageRepo, long installedReleaseCounter) throws TufException, IOException {
        if (!deviceId.equals(a.deviceId())) {
            throw new TufException.AssignmentException("assignment is for device " + a.deviceId() + ", this is " + deviceId);
        }
        if (!hardwareId.equals(a.hardwareId())) {
            throw new TufException.AssignmentException("assignment is for hardware " + a.hardwareId() + ", this is " + hardwareId);
        }
        TargetFile image = imageRepo.getTargetInfo(a.targetName());
        if (image.length() != a.length()) {
            throw new TufException.AssignmentException("director and image repository disagree on the length of " + a.targetName());
        }
        int common = 0;
        for (Map.Entry<String, String> h : a.hashes().entrySet()) {
            String other = image.hashes().get(h.getKey());
            if (other != null) {
                if (!other.equalsIgnoreCase(h.getValue())) {
                    throw new TufException.AssignmentException("director and image repository disagree on the "
                            + h.getKey() + " of " + a.targetName());
                }
                common++;
            }
        }
        if (common == 0) {
            throw new TufException.AssignmentException("director and image repository share no hash algorithm for " + a.targetName());
        }
        if (!image.hardwareIds().contains(hardwareId)) {
            throw new TufException.AssignmentException("image repository does not list hardware " + hardwareId
                    + " for " + a.targetName() + " (listed: " + image.hardwareIds() + ")");
        }
        if (image.releaseCounter() < 0) {
            throw new TufException.AssignmentException(a.targetName() + " has no releaseCounter in the image repository");
        }
        if (image.releaseCounter() != a.releaseCounter()) {
            throw new TufException.AssignmentException("director says release " + a.releaseCounter()
                    + ", image repository says " + image.releaseCounter());
        }
        if (image.releaseCounter() < installedReleaseCounter) {
            throw new TufException.AssignmentException("release counter " + image.releaseCounter()
                    + " is below the installed " + installedReleaseCounter + " (downgrade refused)");
        }
        return new Verified(a, image);
    }
}
