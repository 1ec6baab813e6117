package io.nanofleet.ota.cli;

import io.nanofleet.ota.crypto.TufKey;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.repo.KeyFile;
import io.nanofleet.ota.repo.OnlineKeys;
import io.nanofleet.ota.repo.Repository;
import io.nanofleet.ota.repo.RoleSpec;
import io.nanofleet.ota.repo.TargetKind;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Repository subcommands; each maps to one {@link Repository} operation. */
final class RepoCommands {
    private RepoCommands() {
    }

    static List<TufKey> publicKeys(List<Path> files) throws Exception {
        List<TufKey> out = new ArrayList<>();
        for (Path p : files) {
            out.add(KeyFile.readPublic(p));
        }
        return out;
    }

    /** The role keys root lists; shared by init and rotate-root. */
    static final class RootRoles {
        @Option(names = "--root-key", required = true, paramLabel = "FILE") List<Path> root;
        @Option(names = "--root-threshold", defaultValue = "1") int rootThreshold;
        @Option(names = "--targets-key", required = true, paramLabel = "FILE") List<Path> targets;
        @Option(names = "--targets-threshold", defaultValue = "1") int targetsThreshold;
        @Option(names = "--snapshot-key", paramLabel = "FILE",
                description = "Snapshot key file (required unless init --online-keys names the server's).") List<Path> snapshot;
        @Option(names = "--timestamp-key", paramLabel = "FILE",
                description = "Timestamp key file (required unless init --online-keys names the server's).") List<Path> timestamp;
        @Option(names = "--director-key", paramLabel = "FILE", description = "Key(s) the fleet server signs assignments with.")
        List<Path> director;
        @Option(names = "--director-threshold", defaultValue = "1") int directorThreshold;

        boolean namesOnlineKeys() {
            return snapshot != null || timestamp != null || director != null;
        }

        Map<String, RoleSpec> specs(CommandSpec spec) throws Exception {
            if (snapshot == null || timestamp == null) {
                throw new ParameterException(spec.commandLine(), "Missing required option(s): '--snapshot-key=FILE' and "
                        + "'--timestamp-key=FILE' (or, for init, --online-keys FILE)");
            }
            Map<String, RoleSpec> m = offlineSpecs();
            m.put("snapshot", new RoleSpec(publicKeys(snapshot), 1));
            m.put("timestamp", new RoleSpec(publicKeys(timestamp), 1));
            if (director != null) {
                m.put("director", new RoleSpec(publicKeys(director), directorThreshold));
            }
            return m;
        }

        Map<String, RoleSpec> offlineSpecs() throws Exception {
            Map<String, RoleSpec> m = new LinkedHashMap<>();
            m.put("root", new RoleSpec(publicKeys(root), rootThreshold));
            m.put("targets", new RoleSpec(publicKeys(targets), targetsThreshold));
            return m;
        }
    }

    abstract static class RepoCommand implements Callable<Integer> {
        @Option(names = "--repo", required = true, paramLabel = "DIR", description = "Repository directory (metadata/ and targets/).")
        Path repo;

        @Mixin
        Passwords passwords;

        @Spec
        CommandSpec spec;

        Repository repository() {
            return new Repository(repo, Clock.systemUTC());
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create root v1, targets v1, snapshot and timestamp. Signs with every key given whose password matches.",
                    "With --online-keys FILE (the fleet server's snapshot, timestamp and director public keys, from "
                            + "GET /api/v1/tuf/online-keys) only root and targets keys are needed here, and only "
                            + "metadata/1.root.json and metadata/1.targets.json are written: upload both to the server "
                            + "(POST /api/v1/tuf/root), which signs snapshot and timestamp."})
    static final class Init extends RepoCommand {
        @ArgGroup(exclusive = false, multiplicity = "1")
        RootRoles roles;

        @Option(names = "--online-keys", paramLabel = "FILE",
                description = "JSON with the fleet server's online public keys ({\"snapshot\":{..},\"timestamp\":{..},"
                        + "\"director\":{..}}, as GET /api/v1/tuf/online-keys answers). Replaces --snapshot-key, "
                        + "--timestamp-key and --director-key; root and targets keys stay on this machine.")
        Path onlineKeys;

        @Option(names = "--signer", paramLabel = "FILE",
                description = "Sign only with these of the keys above (others add theirs later with 'sign'). Default: all.")
        List<Path> only;

        private List<Path> signing(List<Path> keys) {
            if (only == null) {
                return keys;
            }
            List<Path> out = new ArrayList<>();
            for (Path k : keys) {
                if (only.stream().anyMatch(o -> o.toAbsolutePath().normalize().equals(k.toAbsolutePath().normalize()))) {
                    out.add(k);
                }
            }
            return out;
        }

        @Override
        public Integer call() throws Exception {
            Map<String, List<TufSigner>> signers = new LinkedHashMap<>();
            if (onlineKeys != null) {
                if (roles.namesOnlineKeys()) {
                    throw new ParameterException(spec.commandLine(), "--online-keys replaces --snapshot-key, --timestamp-key "
                            + "and --director-key: give either the file or the key files");
                }
                Map<String, TufKey> online = OnlineKeys.parse(Files.readAllBytes(onlineKeys));
                Map<String, RoleSpec> specs = roles.offlineSpecs();
                online.forEach((role, key) -> specs.put(role, RoleSpec.of(1, key)));
                signers.put("root", passwords.load(signing(roles.root)));
                signers.put("targets", passwords.load(signing(roles.targets)));
                Repository r = repository();
                r.initOffline(specs, signers);
                System.out.println("wrote " + r.metadataDir().resolve("1.root.json") + " and "
                        + r.metadataDir().resolve("1.targets.json"));
                return 0;
            }
            Map<String, RoleSpec> specs = roles.specs(spec);
            signers.put("root", passwords.load(signing(roles.root)));
            signers.put("targets", passwords.load(signing(roles.targets)));
            signers.put("snapshot", passwords.load(signing(roles.snapshot)));
            signers.put("timestamp", passwords.load(signing(roles.timestamp)));
            repository().init(specs, signers);
            return 0;
        }
    }

    @Command(name = "add-target", mixinStandardHelpOptions = true,
            description = "Publish a model or agent build with NanoFleet custom fields; then run refresh.")
    static final class AddTarget extends RepoCommand {
        @Option(names = "--file", required = true) Path file;
        @Option(names = "--name", required = true, description = "Target path, e.g. models/anomaly-v3.nfm") String name;
        @Option(names = "--kind", required = true, description = "anomaly-model, command-model or agent") String kind;
        @Option(names = "--hardware-id", required = true, description = "Repeat for each hardware id.") List<String> hardwareIds;
        @Option(names = "--release-counter", required = true) long releaseCounter;
        @Option(names = "--role", defaultValue = "targets", description = "targets (default) or a delegated role.") String role;
        @Option(names = "--key", required = true, paramLabel = "FILE", description = "Signing key(s) of the role.") List<Path> keys;

        @Override
        public Integer call() throws Exception {
            repository().addTarget(file, name, TargetKind.fromWire(kind).custom(hardwareIds, releaseCounter), role,
                    passwords.load(keys));
            return 0;
        }
    }

    @Command(name = "delegate", mixinStandardHelpOptions = true,
            description = "Delegate target paths from top-level targets to a new role.")
    static final class Delegate extends RepoCommand {
        @Option(names = "--name", required = true) String name;
        @Option(names = "--path", required = true, description = "Glob, e.g. 'models/*'. Repeatable.") List<String> paths;
        @Option(names = "--delegate-key", required = true, paramLabel = "FILE") List<Path> delegateKeys;
        @Option(names = "--threshold", defaultValue = "1") int threshold;
        @Option(names = "--terminating", defaultValue = "false") boolean terminating;
        @Option(names = "--key", required = true, paramLabel = "FILE", description = "Targets key(s) that sign the delegation.")
        List<Path> keys;

        @Override
        public Integer call() throws Exception {
            repository().delegate(name, paths, new RoleSpec(publicKeys(delegateKeys), threshold), terminating,
                    passwords.load(keys), passwords.load(delegateKeys));
            return 0;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = "Add signatures to the newest version of a role (another operator's share of a threshold).")
    static final class Sign extends RepoCommand {
        @Option(names = "--role", required = true) String role;
        @Option(names = "--key", required = true, paramLabel = "FILE") List<Path> keys;

        @Override
        public Integer call() throws Exception {
            repository().sign(role, passwords.load(keys));
            return 0;
        }
    }

    @Command(name = "rotate-root", mixinStandardHelpOptions = true,
            description = "Write root v(N+1) with new role keys. Sign with old root keys (--key) and the new root keys.")
    static final class RotateRoot extends RepoCommand {
        @ArgGroup(exclusive = false, multiplicity = "1")
        RootRoles roles;
        @Option(names = "--key", required = true, paramLabel = "FILE", description = "Old and new root keys to sign with.")
        List<Path> keys;

        @Override
        public Integer call() throws Exception {
            repository().rotateRoot(roles.specs(spec), passwords.load(keys));
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check the repository as a device will (from root v1, all thresholds and expiries). Exit 1 names the problem.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--repo", required = true, paramLabel = "DIR") Path repo;

        @Override
        public Integer call() throws Exception {
            Repository r = new Repository(repo, Clock.systemUTC());
            int n = r.check().size();
            System.out.println("ok: root v" + r.latestVersion("root") + ", targets v" + r.latestVersion("targets")
                    + ", snapshot v" + r.latestVersion("snapshot") + ", " + n + " target(s) verifiable");
            return 0;
        }
    }

    @Command(name = "refresh", mixinStandardHelpOptions = true,
            description = "Online step: new snapshot and timestamp (run after add-target and periodically before expiry).")
    static final class Refresh extends RepoCommand {
        @Option(names = "--snapshot-key", required = true, paramLabel = "FILE") List<Path> snapshot;
        @Option(names = "--timestamp-key", required = true, paramLabel = "FILE") List<Path> timestamp;

        @Override
        public Integer call() throws Exception {
            repository().refresh(passwords.load(snapshot), passwords.load(timestamp));
            return 0;
        }
    }
}
