package io.nanofleet.cli.model;

import picocli.CommandLine.Command;

/** {@code eval}: groups the benchmarks the detector can be evaluated on. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a model on a benchmark: the detector on SKAB, the command model on labelled text.",
        subcommands = {EvalSkabCommand.class, EvalIntentsCommand.class})
public final class EvalCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing benchmark: use 'eval skab --data DIR' or 'eval intents --model FILE --data FILE.jsonl'");
    }
}
