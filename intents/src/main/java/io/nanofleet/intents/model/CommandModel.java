package io.nanofleet.intents.model;

import io.nanofleet.intents.slots.SlotExtractor;
import io.nanofleet.runtime.Model;
import io.nanofleet.runtime.ModelFile;
import io.nanofleet.runtime.ModelFormatException;
import io.nanofleet.runtime.ModelMetadata;
import io.nanofleet.runtime.TextHasher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A trained command model: the int8 network (hashed text in, one logit per intent out) and everything the
 * device needs to act on its output, all inside the one signed {@code .nfm} file: the intent labels and their
 * scenarios, which scenarios the device answers itself, the calibration temperature, the confidence threshold
 * below which it offloads, each ensemble member's text hasher settings and the slot lexicons. The network has
 * one input and one output per member (see {@link IntentTrainer}); the predictor averages their logits. Immutable and thread-safe;
 * {@link #predictor()} gives a per-thread predictor.
 */
public final class CommandModel {
    /** The model file's {@code kind}, and the update channel's target kind. */
    public static final String KIND = "command-model";

    private final Model network;
    private final List<String> intents;
    private final List<String> scenarios;
    private final Set<String> localScenarios;
    private final boolean[] local;
    private final float temperature;
    private final float threshold;
    /** Per ensemble member: count, vocab, min n, max n of its text hasher. */
    private final int[][] hashers;
    private final SlotExtractor slots;

    private CommandModel(Model network) throws ModelFormatException {
        this.network = network;
        ModelMetadata md = network.metadata();
        if (!KIND.equals(md.kind())) {
            throw new ModelFormatException("this is a '" + md.kind() + "' model, not a " + KIND
                    + " (write one with 'nanofleet-model train intents')");
        }
        intents = List.copyOf(md.labels());
        scenarios = List.of(required(md, "scenarios").split(",", -1));
        if (scenarios.size() != intents.size()) {
            throw new ModelFormatException("model names " + intents.size() + " intents but " + scenarios.size() + " scenarios");
        }
        int members = integer(md, "members");
        int[] ins = network.graph().inputs();
        int[] outs = network.graph().outputs();
        if (members < 1 || ins.length != members || outs.length != members) {
            throw new ModelFormatException("model names " + members + " ensemble members but its network has "
                    + ins.length + " inputs and " + outs.length + " outputs");
        }
        for (int out : outs) {
            if (network.graph().value(out).size != intents.size()) {
                throw new ModelFormatException("a member has " + network.graph().value(out).size + " outputs for " + intents.size() + " intents");
            }
        }
        localScenarios = Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(required(md, "local-scenarios").split(","))));
        local = new boolean[intents.size()];
        for (int i = 0; i < local.length; i++) {
            local[i] = localScenarios.contains(scenarios.get(i));
        }
        temperature = number(md, "temperature");
        threshold = number(md, "threshold");
        if (!(temperature > 0) || !(threshold >= 0 && threshold <= 1)) {
            throw new ModelFormatException("temperature must be > 0 and threshold in [0, 1], got " + temperature + ", " + threshold);
        }
        hashers = new int[members][];
        for (int m = 0; m < members; m++) {
            String p = "hasher." + m + ".";
            int[] h = {integer(md, p + "count"), integer(md, p + "vocab"), integer(md, p + "min-n"), integer(md, p + "max-n")};
            if (network.graph().value(ins[m]).size != h[0]) {
                throw new ModelFormatException("member " + m + " reads " + network.graph().value(ins[m]).size + " ids, its hasher writes " + h[0]);
            }
            try {
                new TextHasher(h[0], h[1], h[2], h[3]);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException("bad hasher settings of member " + m + ": " + e.getMessage());
            }
            hashers[m] = h;
        }
        slots = SlotExtractor.fromProperties(md.properties());
    }

    /** Wraps a network whose metadata carries the properties written by {@link #metadata}. */
    public static CommandModel of(Model network) throws ModelFormatException {
        return new CommandModel(network);
    }

    /** Reads and checks a model file (size, hash, graph, then this model's own metadata). */
    public static CommandModel read(Path file) throws IOException {
        return new CommandModel(ModelFile.read(file));
    }

    public static CommandModel fromBytes(byte[] file) throws ModelFormatException {
        return new CommandModel(ModelFile.fromBytes(file));
    }

    /** Where the shipped model lives on the classpath (trained by the command in the module README). */
    public static final String BUNDLED_RESOURCE = "/io/nanofleet/intents/command-model.nfm";

    /**
     * The model shipped with NanoFleet: HWU64 + SLURP devel + the agent's own commands, {@code iot} and
     * {@code agent} answered locally. Devices start with it and get newer ones through the update channel.
     * Read once per JVM and shared (the model is immutable; a simulator runs thousands of agents).
     */
    public static CommandModel bundled() {
        return Bundled.MODEL;
    }

    private static final class Bundled {
        static final CommandModel MODEL = load();

        private static CommandModel load() {
            try (java.io.InputStream in = CommandModel.class.getResourceAsStream(BUNDLED_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(BUNDLED_RESOURCE + " is not on the classpath; rebuild the intents module");
                }
                return fromBytes(in.readAllBytes());
            } catch (IOException e) {
                throw new IllegalStateException("the bundled command model does not load: " + e.getMessage(), e);
            }
        }
    }

    public byte[] toBytes() {
        return ModelFile.toBytes(network);
    }

    public void write(Path file) throws IOException {
        ModelFile.write(network, file);
    }

    /**
     * The metadata a command network carries. {@code localScenarios} are answered on the device;
     * {@code slotLexicon} maps a slot type to the phrases the extractor looks for.
     */
    public static ModelMetadata metadata(List<String> intents, List<String> scenarios, Set<String> localScenarios,
                                         float temperature, float threshold, List<TextHasher> hashers,
                                         Map<String, String> slotProperties) {
        ModelMetadata.Builder b = ModelMetadata.builder().kind(KIND).labels(intents)
                .property("scenarios", String.join(",", scenarios))
                .property("local-scenarios", String.join(",", localScenarios))
                .property("temperature", Float.toString(temperature))
                .property("threshold", Float.toString(threshold))
                .property("members", Integer.toString(hashers.size()));
        for (int m = 0; m < hashers.size(); m++) {
            TextHasher h = hashers.get(m);
            b.property("hasher." + m + ".count", Integer.toString(h.count()))
                    .property("hasher." + m + ".vocab", Integer.toString(h.vocab()))
                    .property("hasher." + m + ".min-n", Integer.toString(h.minN()))
                    .property("hasher." + m + ".max-n", Integer.toString(h.maxN()));
        }
        slotProperties.forEach(b::property);
        return b.build();
    }

    /** The same network with a new temperature and threshold (calibration happens after training). */
    public CommandModel withCalibration(float temperature, float threshold) throws ModelFormatException {
        ModelMetadata md = network.metadata().toBuilder()
                .property("temperature", Float.toString(temperature))
                .property("threshold", Float.toString(threshold)).build();
        return new CommandModel(network.withMetadata(md));
    }

    public CommandPredictor predictor() {
        return new CommandPredictor(this);
    }

    public Model network() {
        return network;
    }

    public List<String> intents() {
        return intents;
    }

    public String scenarioOf(int intent) {
        return scenarios.get(intent);
    }

    public boolean isLocal(int intent) {
        return local[intent];
    }

    /** The in-scope intents, in label order. */
    public List<String> localIntents() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < local.length; i++) {
            if (local[i]) {
                out.add(intents.get(i));
            }
        }
        return out;
    }

    public Set<String> localScenarios() {
        return localScenarios;
    }

    public float temperature() {
        return temperature;
    }

    public float threshold() {
        return threshold;
    }

    public SlotExtractor slots() {
        return slots;
    }

    int members() {
        return hashers.length;
    }

    TextHasher newHasher(int member) {
        int[] h = hashers[member];
        return new TextHasher(h[0], h[1], h[2], h[3]);
    }

    /** Bytes of the model file. */
    public int fileBytes() {
        return toBytes().length;
    }

    @Override
    public String toString() {
        return KIND + "[" + intents.size() + " intents, " + hashers.length + " members, local " + localScenarios + ", threshold " + threshold
                + ", temperature " + temperature + ", " + network.parameterCount() + " parameters]";
    }

    private static String required(ModelMetadata md, String key) throws ModelFormatException {
        String v = md.property(key);
        if (v == null) {
            throw new ModelFormatException("command model metadata lacks '" + key + "'");
        }
        return v;
    }

    private static float number(ModelMetadata md, String key) throws ModelFormatException {
        try {
            return Float.parseFloat(required(md, key));
        } catch (NumberFormatException e) {
            throw new ModelFormatException("command model metadata '" + key + "' is not a number: " + md.property(key));
        }
    }

    private static int integer(ModelMetadata md, String key) throws ModelFormatException {
        try {
            return Integer.parseInt(required(md, key));
        } catch (NumberFormatException e) {
            throw new ModelFormatException("command model metadata '" + key + "' is not an integer: " + md.property(key));
        }
    }
}
