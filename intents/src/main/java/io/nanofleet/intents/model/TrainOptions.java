package io.nanofleet.intents.model;

import java.util.Set;

/**
 * How a command model is built and trained. The defaults were chosen by 5-fold cross-validation over
 * HWU64 train + SLURP devel + the agent's own commands (see the module's BENCHMARKS.md), never on a
 * test file; {@code vocab * dim} bytes is most of the int8 file, so it is what the 256 KB budget limits.
 */
public record TrainOptions(Set<String> localScenarios, int count, int vocab, int dim, int hidden, int minN, int maxN,
                           int epochs, float learningRate, int batchSize, long seed,
                           double minOffload, double maxWrongLocal, int augment) {
    public TrainOptions {
        localScenarios = Set.copyOf(localScenarios);
        if (localScenarios.isEmpty()) {
            throw new IllegalArgumentException("name at least one scenario to answer locally (e.g. iot)");
        }
        if (count < 1 || vocab < 2 || dim < 1 || hidden < 1 || epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("count, vocab, dim, hidden, epochs, batch size and learning rate must be positive");
        }
        if (augment < 0) {
            throw new IllegalArgumentException("augment must be >= 0");
        }
        if (!(minOffload > 0 && minOffload <= 1) || !(maxWrongLocal >= 0 && maxWrongLocal < 1)) {
            throw new IllegalArgumentException("min offload must be in (0, 1] and max wrong-local in [0, 1)");
        }
    }

    public static TrainOptions defaults(Set<String> localScenarios) {
        return new TrainOptions(localScenarios, 160, 6144, 32, 64, 3, 5, 12, 0.004f, 32, 42, 0.995, 0.015, 0);
    }

    public TrainOptions withSeed(long s) {
        return new TrainOptions(localScenarios, count, vocab, dim, hidden, minN, maxN, epochs, learningRate, batchSize, s, minOffload, maxWrongLocal, augment);
    }

    public TrainOptions withEpochs(int e) {
        return new TrainOptions(localScenarios, count, vocab, dim, hidden, minN, maxN, e, learningRate, batchSize, seed, minOffload, maxWrongLocal, augment);
    }

    public TrainOptions withShape(int count, int vocab, int dim, int hidden, int minN, int maxN) {
        return new TrainOptions(localScenarios, count, vocab, dim, hidden, minN, maxN, epochs, learningRate, batchSize, seed, minOffload, maxWrongLocal, augment);
    }

    /** Extra copies of each training utterance with words dropped at random (a regulariser). */
    public TrainOptions withAugment(int copies) {
        return new TrainOptions(localScenarios, count, vocab, dim, hidden, minN, maxN, epochs, learningRate, batchSize, seed, minOffload, maxWrongLocal, copies);
    }

    public TrainOptions withLearningRate(float lr) {
        return new TrainOptions(localScenarios, count, vocab, dim, hidden, minN, maxN, epochs, lr, batchSize, seed, minOffload, maxWrongLocal, augment);
    }
}
