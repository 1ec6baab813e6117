package io.nanofleet.agent.ask;

import java.util.Map;

/**
 * What the device made of one question and what came of it. {@code decision} is {@code local} (the nano model
 * answered) or {@code offload} (handed to the fleet); {@code source} is who answered: {@code nano} or
 * {@code fleet} (empty while nobody has). {@code confirm} carries the token a destructive action waits for.
 */
public record AskResult(String id, String text, String decision, String intent, float confidence,
                        Map<String, String> slots, String answer, String source, String error, String confirm,
                        Outcome outcome) {
    /** How the question ended (for now). */
    public enum Outcome {
        /** Answered: the bound action ran, the reply was given, or the fleet answered. */
        DONE,
        /** Understood, but nothing is bound to the intent on this device. */
        UNBOUND,
        /** A destructive action waits for {@code confirm <token>} (or {@code --yes}). */
        CONFIRM,
        /** Not the device's to answer: a fleet command's question the nano model hands back to the fleet. */
        OFFLOADED,
        /** The bound action or the fleet failed. */
        FAILED,
        /** Handed to the fleet, not answered yet (timed out waiting, or queued while offline). */
        PENDING,
        /** The fleet did not answer before the question expired. */
        EXPIRED,
        /** Not taken at all (empty text, bad request, too many questions waiting...). */
        REFUSED
    }

    public AskResult {
        slots = Map.copyOf(slots);
        answer = answer == null ? "" : answer;
        source = source == null ? "" : source;
        error = error == null ? "" : error;
        confirm = confirm == null ? "" : confirm;
        intent = intent == null ? "" : intent;
        decision = decision == null ? "" : decision;
        id = id == null ? "" : id;
    }

    /** Exit code 0 of {@code nanofleet-agent ask}: an answer, nothing left to do. */
    public boolean answered() {
        return outcome == Outcome.DONE;
    }

    static AskResult refused(String text, String error) {
        return new AskResult("", text, "", "", 0, Map.of(), "", "", error, "", Outcome.REFUSED);
    }

    AskResult with(Outcome o, String answer, String source, String error, String confirm) {
        return new AskResult(id, text, decision, intent, confidence, slots, answer, source, error, confirm, o);
    }
}
