package io.nanofleet.agent.ask;

/**
 * One question: the text, whether a destructive action is confirmed up front ({@code --yes}), how long the asker
 * waits for the fleet, where it came from, and who asked (the local user, or the fleet).
 */
public record AskRequest(String text, boolean yes, long waitMs, Origin origin, String askedBy) {
    /** Where a question comes from; a confirmation token is valid only for the origin it was given to. */
    public enum Origin { LOCAL, FLEET }

    public AskRequest {
        text = text == null ? "" : text.strip();
        askedBy = askedBy == null ? "" : askedBy;
    }

    public static AskRequest local(String text, boolean yes, long waitMs, String askedBy) {
        return new AskRequest(text, yes, waitMs, Origin.LOCAL, askedBy);
    }
}
