package io.nanofleet.intents.model;

import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.eval.Calibration;
import io.nanofleet.intents.eval.CrossValidation;
import io.nanofleet.intents.eval.Outcome;
import io.nanofleet.intents.eval.Scores;
import io.nanofleet.runtime.ModelFormatException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The whole recipe: K-fold cross-validation, temperature and threshold fitted on the out-of-fold logits,
 * then the shipped model trained on all the data with those two settings written into it.
 */
public final class CommandModelTraining {
    /** The shipped model and what cross-validation said about the recipe that made it. */
    public record Result(CommandModel model, Scores crossValidated, List<Outcome> outOfFold, String reliability,
                         float temperature, float threshold, CrossValidation.Result folds) {
        /** The cross-validated figures had the threshold been {@code t} instead: the trade-off behind the choice. */
        public Scores at(float t) {
            return Scores.of(CrossValidation.outcomes(folds, model.localScenarios(), temperature, t));
        }
    }

    private CommandModelTraining() {
    }

    public static Result run(List<Utterance> data, TrainOptions options, int folds, Consumer<String> progress)
            throws ModelFormatException {
        CrossValidation.Result cv = CrossValidation.run(data, options, folds, progress);
        float t = Calibration.temperature(cv.logits(), CrossValidation.gold(cv));
        float threshold = CrossValidation.threshold(cv, options.localScenarios(), t, options.minOffload(), options.maxWrongLocal());
        List<Outcome> oof = CrossValidation.outcomes(cv, options.localScenarios(), t, threshold);
        float[] conf = new float[oof.size()];
        boolean[] right = new boolean[oof.size()];
        for (int i = 0; i < conf.length; i++) {
            conf[i] = oof.get(i).confidence();
            right[i] = oof.get(i).correct();
        }
        String reliability = Calibration.reliability(conf, right);
        progress.accept(String.format(java.util.Locale.ROOT, "calibrated: temperature %.3f, threshold %.4f", t, threshold));
        progress.accept("final model: training on all " + data.size() + " utterances");
        CommandModel model = new IntentTrainer(options, progress)
                .train(data, IntentTrainer.labels(data), t, threshold);
        return new Result(model, Scores.of(oof), oof, reliability, t, threshold, cv);
    }
}
