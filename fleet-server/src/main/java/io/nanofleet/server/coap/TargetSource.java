package io.nanofleet.server.coap;

import java.nio.file.Path;
import java.util.Optional;

/** Where update targets are read from, by TUF target name. The models package supplies the real one. */
@FunctionalInterface
public interface TargetSource {
    Optional<Path> target(String name);
}
