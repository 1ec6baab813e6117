package io.nanofleet.ota.cli;

import io.nanofleet.ota.client.AtomicFiles;
import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.metadata.Hashes;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.TufException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;

/**
 * The tuf-conformance client protocol: {@code --metadata-dir DIR init ROOT}, {@code refresh},
 * {@code download}. Exit 0 on success, 1 on any failure. Metadata files use non-versioned names.
 */
@Command(name = "nanofleet-tuf-client", mixinStandardHelpOptions = true,
        description = "TUF client for the tuf-conformance suite.",
        subcommands = {ConformanceCli.Init.class, ConformanceCli.Refresh.class, ConformanceCli.Download.class})
public final class ConformanceCli implements Runnable {
    @Option(names = "--metadata-dir", required = true, paramLabel = "DIR")
    Path metadataDir;

    @Option(names = "--metadata-url", paramLabel = "URL")
    URI metadataUrl;

    @Option(names = "--target-name")
    String targetName;

    @Option(names = "--target-base-url", paramLabel = "URL")
    URI targetBaseUrl;

    @Option(names = "--target-dir", paramLabel = "DIR")
    Path targetDir;

    @Option(names = "--reference-time",
            description = "Check expiry against this ISO 8601 instant instead of now (testing static repositories).")
    Instant referenceTime;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cl = OtaCli.commandLine(new ConformanceCli());
        // The conformance protocol knows only 0 and 1.
        cl.setParameterExceptionHandler((ex, a) -> {
            cl.getErr().println("error: " + ex.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: init, refresh or download");
    }

    Clock clock() {
        return referenceTime == null ? Clock.systemUTC() : Clock.fixed(referenceTime, ZoneOffset.UTC);
    }

    Updater updater() {
        if (metadataUrl == null) {
            throw new IllegalArgumentException("--metadata-url is required");
        }
        return new Updater(new UpdaterConfig(metadataDir, metadataUrl, targetBaseUrl), new HttpFetcher(), clock());
    }

    @Command(name = "init", description = "Trust ROOT (a root.json file) as the initial root.")
    static final class Init implements Callable<Integer> {
        @CommandLine.ParentCommand
        ConformanceCli parent;
        @Parameters(paramLabel = "ROOT")
        Path root;

        @Override
        public Integer call() throws Exception {
            Updater.initialize(parent.metadataDir, Files.readAllBytes(root), parent.clock());
            return 0;
        }
    }

    @Command(name = "refresh", description = "Update top-level metadata from --metadata-url.")
    static final class Refresh implements Callable<Integer> {
        @CommandLine.ParentCommand
        ConformanceCli parent;

        @Override
        public Integer call() throws Exception {
            parent.updater().refresh();
            return 0;
        }
    }

    @Command(name = "download", description = "Refresh, then download --target-name into --target-dir (unless a verified copy is already there).")
    static final class Download implements Callable<Integer> {
        @CommandLine.ParentCommand
        ConformanceCli parent;

        @Override
        public Integer call() throws Exception {
            if (parent.targetName == null || parent.targetBaseUrl == null || parent.targetDir == null) {
                throw new IllegalArgumentException("download needs --target-name, --target-base-url and --target-dir");
            }
            Updater u = parent.updater();
            u.refresh();
            TargetFile t = u.getTargetInfo(parent.targetName);
            Path local = parent.targetDir.resolve(Updater.Names.quote(parent.targetName));
            if (verified(local, t)) {
                return 0; // already here with the trusted length and hashes: not downloaded again
            }
            byte[] data = u.downloadTarget(t);
            Files.createDirectories(parent.targetDir);
            AtomicFiles.write(local, data);
            return 0;
        }

        /** Whether {@code file} holds exactly the trusted target (hashed now; its name alone proves nothing). */
        static boolean verified(Path file, TargetFile t) throws java.io.IOException {
            if (!Files.isRegularFile(file) || Files.size(file) != t.length()) {
                return false;
            }
            try {
                Hashes.verify(Files.readAllBytes(file), t.length(), t.hashes(), t.name());
                return true;
            } catch (TufException.LengthOrHashException e) {
                return false;
            }
        }
    }
}
