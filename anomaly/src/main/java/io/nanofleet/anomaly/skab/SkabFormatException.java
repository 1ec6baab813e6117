package io.nanofleet.anomaly.skab;

import java.io.IOException;
import java.nio.file.Path;

/** A SKAB-format file that cannot be read as such; names the file and the 1-based line. */
public final class SkabFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public SkabFormatException(Path file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
    }
}
