package io.nanofleet.llm;

import com.fasterxml.jackson.core.JsonToken;
import io.nanofleet.llm.YamlTree.ListNode;
import io.nanofleet.llm.YamlTree.MapNode;
import io.nanofleet.llm.YamlTree.Node;
import io.nanofleet.llm.YamlTree.Scalar;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The providers a {@link ProviderChain} asks, in order, and how it treats failing ones. Read from YAML shaped
 * like LiteLLM's model list:
 *
 * <pre>
 * providers:
 *   - name: openai
 *     base-url: https://api.openai.com/v1
 *     model: gpt-4o-mini
 *     api-key-env: OPENAI_API_KEY     # the variable's name; the key itself never goes in this file
 *     timeout-ms: 20000               # default 30000
 *     max-retries: 2                  # default 2
 *     price-per-1k-input: 0.00015     # optional, both or neither
 *     price-per-1k-output: 0.0006
 * cooldown-ms: 60000                  # default 60000
 * failures-before-cooldown: 3         # default 3
 * stream-buffering: until-last-attempt  # or always, never (see StreamBuffering)
 * </pre>
 *
 * <p>Parsing checks everything and reports every problem at once, each with its line and key: unknown keys,
 * wrong types (quoted numbers are text, not numbers), missing or out-of-range values, duplicate names, and an
 * {@code api-key-env} variable that is not set. A provider without {@code api-key-env} sends no key (local
 * servers). Values are never repeated in problems, and keys only show as {@code ***}.
 */
public final class LlmConfig {
    public static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(1);
    public static final int DEFAULT_FAILURES_BEFORE_COOLDOWN = 3;

    private static final Set<String> TOP_KEYS = Set.of("providers", "cooldown-ms", "failures-before-cooldown", "stream-buffering");
    private static final Set<String> PROVIDER_KEYS = Set.of("name", "base-url", "model", "api-key-env", "timeout-ms",
            "max-retries", "price-per-1k-input", "price-per-1k-output");
    // Keys people write when they mean to put the secret itself in the file.
    private static final Set<String> SECRET_KEYS = Set.of("apikey", "key", "token", "secret", "password",
            "authorization", "bearer", "bearertoken", "accesstoken");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern LINE = Pattern.compile("line (\\d+):");
    private static final long MAX_TIMEOUT_MS = Duration.ofHours(1).toMillis();

    private final List<ProviderConfig> providers;
    private final Duration cooldown;
    private final int failuresBeforeCooldown;
    private final StreamBuffering streamBuffering;

    private LlmConfig(Builder b) {
        this.providers = List.copyOf(b.providers);
        this.cooldown = b.cooldown;
        this.failuresBeforeCooldown = b.failuresBeforeCooldown;
        this.streamBuffering = b.streamBuffering;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads {@code file}, taking keys from the process environment. */
    public static LlmConfig load(Path file) throws IOException, LlmConfigException {
        return load(file, System::getenv);
    }

    /** @param env environment lookup (a variable's value, or null when unset) */
    public static LlmConfig load(Path file, Function<String, String> env) throws IOException, LlmConfigException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString(), env);
    }

    /**
     * @param source how problems name the text (usually its file)
     * @param env environment lookup (a variable's value, or null when unset)
     * @throws LlmConfigException listing every problem
     */
    public static LlmConfig parse(String yaml, String source, Function<String, String> env) throws LlmConfigException {
        Objects.requireNonNull(env, "env");
        List<String> problems = new ArrayList<>();
        Node root = YamlTree.parse(yaml, problems);
        if (root == null) {
            if (problems.isEmpty()) {
                problems.add("the file is empty; it needs a providers: list");
            }
            throw new LlmConfigException(source, problems);
        }
        if (!(root instanceof MapNode)) {
            problems.add("line " + root.line + ": the file must be a mapping with a providers: list, found " + root.kind());
            throw new LlmConfigException(source, problems);
        }
        Builder b = builder();
        Fields top = new Fields((MapNode) root, "", problems);
        top.unknown(TOP_KEYS);
        Long cooldown = top.integer("cooldown-ms", 0, Duration.ofDays(1).toMillis());
        if (cooldown != null) {
            b.cooldown(Duration.ofMillis(cooldown));
        }
        Long failures = top.integer("failures-before-cooldown", 1, 1000);
        if (failures != null) {
            b.failuresBeforeCooldown(failures.intValue());
        }
        String buffering = top.text("stream-buffering", false);
        if (buffering != null) {
            try {
                b.streamBuffering(StreamBuffering.valueOf(buffering.replace('-', '_').toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                top.problem("stream-buffering", "must be until-last-attempt, always or never");
            }
        }
        ListNode list = top.list("providers");
        if (list != null) {
            readProviders(list, env, problems, b);
        }
        if (!problems.isEmpty()) {
            throw new LlmConfigException(source, byLine(problems));
        }
        return b.build();
    }

    /** Problems in file order (they are found key by key, not line by line); stable within a line. */
    private static List<String> byLine(List<String> problems) {
        List<String> sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.comparingLong(LlmConfig::lineOf));
        return sorted;
    }

    private static long lineOf(String problem) {
        Matcher m = LINE.matcher(problem);
        return m.lookingAt() ? Long.parseLong(m.group(1)) : 0;
    }

    private static void readProviders(ListNode list, Function<String, String> env, List<String> problems, Builder b) {
        if (list.items.isEmpty()) {
            problems.add("line " + list.line + ": providers must list at least one provider");
        }
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < list.items.size(); i++) {
            Node item = list.items.get(i);
            String label = "provider " + (i + 1);
            if (!(item instanceof MapNode)) {
                problems.add("line " + item.line + ": " + label + " must be a mapping (name:, base-url:, model: ...), found " + item.kind());
                continue;
            }
            int before = problems.size();
            MapNode map = (MapNode) item;
            Fields f = new Fields(map, label + ": ", problems);
            String name = f.text("name", true);
            if (name != null) {
                String problem = ProviderConfig.nameProblem(name);
                if (problem != null) {
                    f.problem("name", problem);
                    name = null;
                } else {
                    f.prefix = label + " '" + name + "': ";
                    Integer earlier = names.putIfAbsent(name, i + 1);
                    if (earlier != null) {
                        f.problem("name", "is already used by provider " + earlier);
                    }
                }
            }
            f.unknown(PROVIDER_KEYS);
            String baseUrl = f.text("base-url", true);
            if (baseUrl != null) {
                String problem = ProviderConfig.baseUrlProblem(baseUrl);
                if (problem != null) {
                    f.problem("base-url", problem);
                }
            }
            String model = f.text("model", true);
            ApiKey key = ApiKey.none();
            String keyEnv = f.text("api-key-env", false);
            if (keyEnv != null) {
                if (!ENV_NAME.matcher(keyEnv).matches()) {
                    f.problem("api-key-env", "must be the name of an environment variable (letters, digits, '_'), not the key itself");
                } else {
                    String value = env.apply(keyEnv);
                    if (value == null) {
                        f.problem("api-key-env", "names environment variable " + keyEnv + ", which is not set");
                    } else if (value.isBlank()) {
                        f.problem("api-key-env", "names environment variable " + keyEnv + ", which is empty");
                    } else {
                        key = ApiKey.of(value);
                    }
                }
            }
            Long timeout = f.integer("timeout-ms", 1, MAX_TIMEOUT_MS);
            Long retries = f.integer("max-retries", 0, ProviderConfig.MAX_MAX_RETRIES);
            BigDecimal in = f.price("price-per-1k-input");
            BigDecimal out = f.price("price-per-1k-output");
            if (f.has("price-per-1k-input") != f.has("price-per-1k-output")) {
                boolean inGiven = f.has("price-per-1k-input");
                f.problem(inGiven ? "price-per-1k-input" : "price-per-1k-output",
                        "needs price-per-1k-" + (inGiven ? "output" : "input") + " too (both or neither)");
            }
            if (problems.size() > before || name == null || baseUrl == null || model == null) {
                continue;
            }
            ProviderConfig.Builder p = ProviderConfig.builder(name, baseUrl, model).apiKey(key).apiKeyEnv(keyEnv);
            if (timeout != null) {
                p.timeout(Duration.ofMillis(timeout));
            }
            if (retries != null) {
                p.maxRetries(retries.intValue());
            }
            if (in != null && out != null) {
                p.prices(in, out);
            }
            b.provider(p.build());
        }
    }

    /** In chain order. */
    public List<ProviderConfig> providers() {
        return providers;
    }

    /** How long a provider that failed {@link #failuresBeforeCooldown()} times in a row is skipped. */
    public Duration cooldown() {
        return cooldown;
    }

    public int failuresBeforeCooldown() {
        return failuresBeforeCooldown;
    }

    public StreamBuffering streamBuffering() {
        return streamBuffering;
    }

    @Override
    public String toString() {
        return "LlmConfig[providers=" + providers + ", cooldown-ms=" + cooldown.toMillis()
                + ", failures-before-cooldown=" + failuresBeforeCooldown + ", stream-buffering=" + streamBuffering + "]";
    }

    public static final class Builder {
        private final List<ProviderConfig> providers = new ArrayList<>();
        private Duration cooldown = DEFAULT_COOLDOWN;
        private int failuresBeforeCooldown = DEFAULT_FAILURES_BEFORE_COOLDOWN;
        private StreamBuffering streamBuffering = StreamBuffering.UNTIL_LAST_ATTEMPT;

        private Builder() {
        }

        public Builder provider(ProviderConfig p) {
            if (providers.stream().anyMatch(q -> q.name().equals(p.name()))) {
                throw new IllegalArgumentException("two providers named " + p.name());
            }
            providers.add(p);
            return this;
        }

        public Builder cooldown(Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("cooldown cannot be negative");
            }
            this.cooldown = d;
            return this;
        }

        public Builder failuresBeforeCooldown(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("failures before cooldown must be at least 1");
            }
            this.failuresBeforeCooldown = n;
            return this;
        }

        public Builder streamBuffering(StreamBuffering b) {
            this.streamBuffering = Objects.requireNonNull(b, "streamBuffering");
            return this;
        }

        /** @throws IllegalStateException without any provider */
        public LlmConfig build() {
            if (providers.isEmpty()) {
                throw new IllegalStateException("an LLM configuration needs at least one provider");
            }
            return new LlmConfig(this);
        }
    }

    /** Typed reads from one mapping, each adding "line N: prefix key ..." to the problems when wrong. */
    private static final class Fields {
        private final MapNode map;
        private final List<String> problems;
        private String prefix;

        Fields(MapNode map, String prefix, List<String> problems) {
            this.map = map;
            this.prefix = prefix;
            this.problems = problems;
        }

        boolean has(String key) {
            return map.entries.containsKey(key);
        }

        void problem(String key, String what) {
            Integer line = map.keyLines.get(key);
            problems.add("line " + (line == null ? map.line : line) + ": " + prefix + key + " " + what);
        }

        void unknown(Set<String> known) {
            for (Map.Entry<String, Integer> e : map.keyLines.entrySet()) {
                String key = e.getKey();
                if (known.contains(key)) {
                    continue;
                }
                String squashed = key.toLowerCase(Locale.ROOT).replaceAll("[-_ ]", "");
                String hint;
                if (SECRET_KEYS.contains(squashed) || squashed.endsWith("apikey")) {
                    hint = ": keys never go in this file; put the key in an environment variable and name that"
                            + " variable with api-key-env";
                } else {
                    String normal = key.toLowerCase(Locale.ROOT).replace('_', '-');
                    hint = known.contains(normal) ? " (did you mean " + normal + "?)" : " (known: " + String.join(", ", new TreeSet<>(known)) + ")";
                }
                problems.add("line " + e.getValue() + ": " + prefix + "unknown key " + YamlTree.shown(key) + hint);
            }
        }

        private Scalar scalar(String key, boolean required, String expected) {
            Node n = map.entries.get(key);
            if (n == null) {
                if (required) {
                    problems.add("line " + map.line + ": " + prefix + key + " is missing");
                }
                return null;
            }
            if (!(n instanceof Scalar)) {
                problem(key, "must be " + expected + ", found " + n.kind());
                return null;
            }
            return (Scalar) n;
        }

        String text(String key, boolean required) {
            Scalar s = scalar(key, required, "text");
            if (s == null) {
                return null;
            }
            if (s.token != JsonToken.VALUE_STRING) {
                problem(key, "must be text, found " + s.kind());
                return null;
            }
            if (s.text.isBlank()) {
                problem(key, "is empty");
                return null;
            }
            return s.text.strip();
        }

        Long integer(String key, long min, long max) {
            Scalar s = scalar(key, false, "a whole number");
            if (s == null) {
                return null;
            }
            if (s.token != JsonToken.VALUE_NUMBER_INT) {
                problem(key, "must be a whole number, found " + s.kind());
                return null;
            }
            if (s.number.compareTo(BigDecimal.valueOf(min)) < 0 || s.number.compareTo(BigDecimal.valueOf(max)) > 0) {
                problem(key, "must be from " + min + " to " + max);
                return null;
            }
            return s.number.longValueExact();
        }

        BigDecimal price(String key) {
            Scalar s = scalar(key, false, "a number");
            if (s == null) {
                return null;
            }
            if (s.number == null) {
                problem(key, "must be a number, found " + s.kind());
                return null;
            }
            if (s.number.signum() < 0) {
                problem(key, "cannot be negative");
                return null;
            }
            return s.number;
        }

        ListNode list(String key) {
            Node n = map.entries.get(key);
            if (n == null) {
                problems.add("line " + map.line + ": " + prefix + key + " is missing");
                return null;
            }
            if (!(n instanceof ListNode)) {
                problem(key, "must be a list, found " + n.kind());
                return null;
            }
            return (ListNode) n;
        }
    }
}
