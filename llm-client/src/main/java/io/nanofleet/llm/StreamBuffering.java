package io.nanofleet.llm;

/**
 * When streamed text reaches the caller's consumer. A failed attempt is retried or passed to the next provider,
 * so text it already handed on would be followed by the whole answer again; buffering prevents that, at the cost
 * of the caller seeing nothing until the answer is complete.
 */
public enum StreamBuffering {
    /**
     * Buffer while a retry or another provider could still take over; the last possible attempt streams live.
     * No byte of a failed attempt is ever passed on, and the last attempt costs no latency. The default.
     */
    UNTIL_LAST_ATTEMPT,
    /** Every attempt is buffered: the consumer gets the text only once the stream completed with {@code [DONE]}. */
    ALWAYS,
    /**
     * Every attempt streams live. A failure after the first delta was passed on ends the call: no retry, no next
     * provider ({@link LlmException#partialOutput()} is true).
     */
    NEVER
}
