package io.nanofleet.cli.model;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code nanofleet-model} launcher. */
@Command(name = "nanofleet-model", mixinStandardHelpOptions = true, version = "nanofleet-model 0.1.0",
        description = "Train, quantize and evaluate the NanoFleet on-device anomaly detector.",
        subcommands = {EvalCommand.class, TrainCommand.class})
public final class NanofleetModel implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: use 'eval skab' or 'train' (see --help)");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code: 0 ok, 1 failure, 2 usage. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The command tree with its error handling (a failure prints "error: <message>" and exits 1). */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new NanofleetModel());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + ex.getMessage());
            return 1;
        });
        return cl;
    }
}
