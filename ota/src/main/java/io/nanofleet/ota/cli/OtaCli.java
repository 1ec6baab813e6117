package io.nanofleet.ota.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code nanofleet-ota}: repository tooling for operators (offline keys) and the fleet server (online
 * keys). Exit codes: 0 ok, 1 failure, 2 usage error.
 */
@Command(name = "nanofleet-ota", mixinStandardHelpOptions = true, version = "nanofleet-ota 0.1.0",
        description = "Keys, signed TUF metadata and director assignments for NanoFleet updates.",
        subcommands = {KeygenCommand.class, RepoCommands.Init.class, RepoCommands.AddTarget.class,
                RepoCommands.Delegate.class, RepoCommands.Sign.class, RepoCommands.RotateRoot.class,
                RepoCommands.Refresh.class, RepoCommands.Verify.class, AssignCommand.class})
public final class OtaCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return commandLine(new OtaCli()).execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (see --help)");
    }

    /** Failures print one line saying what went wrong (no stack trace) and exit 1. */
    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            PrintWriter err = line.getErr();
            err.println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            err.flush();
            return 1;
        });
        return cl;
    }
}
