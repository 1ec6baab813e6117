package io.nanofleet.cli.model;

import picocli.CommandLine.Command;

/** {@code eval}: groups the benchmarks the detector can be evaluated on. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate the detector on a benchmark.",
        subcommands = {EvalSkabCommand.class})
public final class EvalCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing benchmark: use 'eval skab --data DIR'");
    }
}
