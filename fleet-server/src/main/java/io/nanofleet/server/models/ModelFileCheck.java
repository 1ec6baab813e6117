package io.nanofleet.server.models;

import io.nanofleet.anomaly.model.DetectorModelFile;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.ota.metadata.Metadata;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.Targets;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.repo.TargetKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the server checks of an uploaded file before it is published as a target of its kind: an
 * {@code anomaly-model} must be a detector model file the device runtime loads (read with the detector's own
 * {@link DetectorModelFile#read}: format, kind, graph, calibration, input size matching the channels) with a
 * sane input schema (at least one channel, names non-blank and distinct); a {@code command-model} must load with
 * the command model's own reader ({@link CommandModel#read}: format, graph, and its metadata: kind, intents and
 * scenarios, calibration, text hasher). No loader for {@code agent} targets exists yet, so the server refuses that
 * kind rather than publish what nothing checks.
 */
final class ModelFileCheck {
    private ModelFileCheck() {
    }

    /** Refuses ({@link ModelException.Reason#INVALID_MODEL} or {@code UNSUPPORTED_KIND}) a file that is not a {@code kind}. */
    static void check(Path file, TargetKind kind) throws ModelException {
        switch (kind) {
            case ANOMALY_MODEL -> checkAnomalyModel(file);
            case COMMAND_MODEL -> checkCommandModel(file);
            default -> throw new ModelException(ModelException.Reason.UNSUPPORTED_KIND, "kind " + kind.wireName
                    + " cannot be validated by this server yet; only anomaly-model and command-model targets can be uploaded");
        }
    }

    private static void checkCommandModel(Path file) throws ModelException {
        try {
            CommandModel.read(file);
        } catch (IOException | RuntimeException e) {
            String why = String.valueOf(e.getMessage()).replace(file.toString(), "the file");
            throw new ModelException(ModelException.Reason.INVALID_MODEL,
                    "the uploaded file is not a command model the device runtime can load: " + why, e);
        }
    }

    private static void checkAnomalyModel(Path file) throws ModelException {
        DetectorModelFile.Loaded m;
        try {
            m = DetectorModelFile.read(file);
        } catch (IOException | RuntimeException e) {
            String why = String.valueOf(e.getMessage()).replace(file.toString(), "the file");
            throw new ModelException(ModelException.Reason.INVALID_MODEL,
                    "the uploaded file is not an anomaly model the device runtime can load: " + why, e);
        }
        List<String> channels = m.channels();
        Set<String> seen = new HashSet<>();
        for (String c : channels) {
            if (c == null || c.isBlank() || !seen.add(c)) {
                throw new ModelException(ModelException.Reason.INVALID_MODEL, "the uploaded model's input channels "
                        + channels + " are not usable: every channel needs a distinct, non-blank name");
            }
        }
        if (channels.isEmpty()) {
            throw new ModelException(ModelException.Reason.INVALID_MODEL, "the uploaded model names no input channels");
        }
    }

    /**
     * For an offline-signed upload: checks the file against the kind in the signed custom fields of
     * {@code name}. Metadata that does not parse or does not list {@code name} is left to
     * {@link ModelRepository#publishSigned}, which refuses it; the kind checked here is the one that is
     * published, since the same metadata bytes are verified and written there.
     */
    static void checkSigned(Path file, String name, byte[] targetsJson) throws ModelException {
        TargetFile listed;
        try {
            listed = new Targets(Metadata.parse(targetsJson, Targets.TYPE)).targets().get(name);
        } catch (TufException | RuntimeException e) {
            return;
        }
        if (listed == null) {
            return;
        }
        TargetKind kind;
        try {
            kind = TargetKind.fromWire(String.valueOf(listed.kind()));
        } catch (IllegalArgumentException e) {
            throw new ModelException(ModelException.Reason.INVALID_TARGET, "the signed metadata gives " + name
                    + " the kind " + listed.kind() + "; " + e.getMessage());
        }
        check(file, kind);
    }
}
