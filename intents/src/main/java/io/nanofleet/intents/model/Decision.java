package io.nanofleet.intents.model;

/** What the device does with an utterance: answer it itself, or hand it on to the fleet. */
public enum Decision {
    LOCAL, OFFLOAD;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
