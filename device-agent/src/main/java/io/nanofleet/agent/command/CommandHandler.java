package io.nanofleet.agent.command;

import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;

/** Executes one action. */
@FunctionalInterface
public interface CommandHandler {
    CommandResult handle(Command command);
}
