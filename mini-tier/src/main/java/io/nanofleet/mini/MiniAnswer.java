package io.nanofleet.mini;

import java.util.List;

/**
 * What the mini tier makes of one question.
 *
 * @param intent        the most probable intent ({@code fleet_anomalies}, {@code weather_query}, ...)
 * @param scenario      its scenario ({@code fleet} for questions about fleet data)
 * @param confidence    the calibrated probability of {@code intent}: softmax of the logits divided by the
 *                      temperature fitted on cross-validation folds
 * @param confident     {@code confidence >= threshold}: below it the caller should ask the full tier
 * @param fleetQuestion the intent is one the fleet server answers from its own data ({@link FleetIntent})
 * @param slots         the slots that intent reads (empty for other intents)
 * @param missingSlots  slot types the fleet intent needs but the question does not name (a device id for
 *                      {@code fleet_last_summary}, say)
 */
public record MiniAnswer(String intent, String scenario, float confidence, boolean confident, boolean fleetQuestion,
                         FleetQuery slots, List<String> missingSlots) {
    public MiniAnswer {
        missingSlots = List.copyOf(missingSlots);
    }

    /** True when the fleet server can answer this from its own data: a fleet intent, confident, no slot missing. */
    public boolean answerFromFleetData() {
        return fleetQuestion && confident && missingSlots.isEmpty();
    }

    /** True when the caller should go on to the full tier (cloud model): anything not answerable from fleet data. */
    public boolean goToFullTier() {
        return !answerFromFleetData();
    }

    /** The fleet intent, when {@link #fleetQuestion()}. */
    public FleetIntent fleetIntent() {
        return FleetIntent.of(intent).orElse(null);
    }
}
