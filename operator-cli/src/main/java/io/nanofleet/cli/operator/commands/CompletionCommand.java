package io.nanofleet.cli.operator.commands;

import io.nanofleet.cli.operator.ExitCodes;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code nanofleet completion bash}: the shell completion script (picocli's AutoComplete). */
@Command(name = "completion", description = {"Print the shell completion script.",
        "bash: source <(nanofleet completion bash)   (or save it to /etc/bash_completion.d/nanofleet)",
        "zsh:  autoload -U +X bashcompinit && bashcompinit && source <(nanofleet completion zsh)"})
public final class CompletionCommand extends BaseCommand {
    @Parameters(paramLabel = "SHELL", description = "bash or zsh")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw usage("completion is available for bash and zsh (zsh through bashcompinit), not '" + shell + "'");
        }
        out().print(AutoComplete.bash("nanofleet", spec.root().commandLine()));
        out().flush();
        return ExitCodes.OK;
    }
}
