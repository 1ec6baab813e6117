package io.nanofleet.ota.install;

import java.nio.file.Path;

/** The model a slot holds, verified against its recorded length and sha256 when the store opened. */
public record InstalledModel(String slot, String name, String kind, long length, String sha256, long releaseCounter,
                             Path payload, boolean trial) {
}
