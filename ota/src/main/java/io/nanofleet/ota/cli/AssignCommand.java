package io.nanofleet.ota.cli;

import io.nanofleet.ota.client.AtomicFiles;
import io.nanofleet.ota.director.DirectorAssignment;
import io.nanofleet.ota.director.DirectorSigner;
import io.nanofleet.ota.metadata.DelegatedRole;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.Targets;
import io.nanofleet.ota.repo.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;

@Command(name = "assign", mixinStandardHelpOptions = true,
        description = "Sign a director assignment telling one device to install a published target.")
final class AssignCommand extends RepoCommands.RepoCommand {
    @Option(names = "--director-key", required = true, paramLabel = "FILE") List<Path> keys;
    @Option(names = "--device", required = true) String device;
    @Option(names = "--target", required = true, description = "Target name as published.") String target;
    @Option(names = "--hardware-id", required = true) String hardwareId;
    @Option(names = "--version", required = true, description = "Assignment version; must grow per device.") long version;
    @Option(names = "--expires-in", defaultValue = "P1D", description = "ISO 8601 duration (default P1D).") Duration expiresIn;
    @Option(names = "--out", required = true, paramLabel = "FILE") Path out;

    @Override
    public Integer call() throws Exception {
        Repository r = repository();
        TargetFile t = find(r, target);
        DirectorAssignment a = new DirectorAssignment(device, t.name(), t.length(), t.hashes(), hardwareId,
                t.releaseCounter(), version, Clock.systemUTC().instant().plus(expiresIn));
        AtomicFiles.write(out, new DirectorSigner(passwords.load(keys)).sign(a));
        return 0;
    }

    private static TargetFile find(Repository r, String name) throws Exception {
        List<String> todo = new ArrayList<>(List.of("targets"));
        while (!todo.isEmpty()) {
            Targets t = new Targets(r.latest(todo.remove(0)));
            if (t.targets().containsKey(name)) {
                return t.targets().get(name);
            }
            for (DelegatedRole d : t.delegatedRoles()) {
                todo.add(d.name());
            }
        }
        throw new IllegalArgumentException("target " + name + " is not published in " + r.metadataDir() + " (run add-target first)");
    }
}
