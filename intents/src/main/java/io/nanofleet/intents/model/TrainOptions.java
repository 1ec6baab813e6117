package io.nanofleet.intents.model;

import java.util.Set;

/**
 * How a command model is built and trained. The defaults were chosen by 5-fold cross-validation over
 * HWU64 train + SLURP devel + the agent's own commands (see the module's BENCHMARKS.md), never on a
 * test file; {@code vocab * dim} bytes is most of the int8 file, so it is what the 256 KB budget limits.
 */
public record TrainOptions(Set<String> localScenarios, int count, int vocab, int dim, int hidden, int minN, int maxN,
                           int epochs, float learningRate, int batchSize, long seed,
                           double minOffload, double maxWrongLocal, int members) {
    public TrainOptions {
        localScenarios = Set.copyOf(localScenarios);
        if (localScenarios.isEmpty()) {
            throw new IllegalArgumentException("name at least one scenario to answer locally (e.g. iot)");
        }
        if (count < 1 || vocab < 2 || dim < 1 || hidden < 1 || epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("count, vocab, dim, hidden, epochs, batch size and learning rate must be positive");
        }
        if (members < 1 || members > 8) {
            throw new IllegalArgumentException("members must be 1..8, got " + members);
        }
        if (!(minOffload > 0 && minOffload <= 1) || !(maxWrongLocal >= 0 && maxWrongLocal < 1)) {
            throw new IllegalArgumentException("min offload must be in (0, 1] and max wrong-local in [0, 1)");
        }
    }

    public static TrainOptions defaults(Set<String> localScenarios) {
        return new TrainOptions(localScenarios, 160, 2048, 32, 64, 3, 5, 12, 0.004f, 32, 42, 0.995, 0.015, 3);
    }

    /** Character n-gram ranges of the ensemble's members, in turn: each member hashes the text its own way. */
    private static final int[][] MEMBER_NGRAMS = {{0, 0}, {-1, -1}, {0, 1}, {-1, 0}};

    /**
     * Member {@code i} of the ensemble: its own seed, a different bucket count (so words collide differently)
     * and a shifted n-gram range, so the members err on different utterances and averaging helps.
     */
    public TrainOptions member(int i) {
        int[] shift = MEMBER_NGRAMS[i % MEMBER_NGRAMS.length];
        int lo = minN == 0 ? 0 : Math.max(1, minN + shift[0]);
        int hi = maxN == 0 ? 0 : Math.max(lo, maxN + shift[1]);
        return new TrainOptions(localScenarios, count, vocab - 9 * i, dim, hidden, lo, hi, epochs, learningRate, batchSize,
                seed + i, minOffload, maxWrongLocal, 1);
    }

    public TrainOptions withMembers(int k) {
        return new TrainOptions(localScenarios, count, vocab, dim, hidden, minN, maxN, epochs, learningRate, batchSize, seed, minOffload, maxWrongLocal, k);
    }


    public TrainOptions withEpochs(int e) {
        return new TrainOptions(localScenarios, count, vocab, dim, hidden, minN, maxN, e, learningRate, batchSize, seed, minOffload, maxWrongLocal, members);
    }


}
