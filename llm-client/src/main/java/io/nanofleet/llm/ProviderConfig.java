package io.nanofleet.llm;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One OpenAI-compatible endpoint: where it is, which model to ask, its key, how long to wait and how often to
 * retry, and optionally its prices. Immutable; usually read from YAML by {@link LlmConfig}, or built with
 * {@link #builder}. {@link #toString()} names the key's environment variable, never the key.
 */
public final class ProviderConfig {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_RETRIES = 2;
    /** More retries on one provider only delay the fallback to the next. */
    public static final int MAX_MAX_RETRIES = 10;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    private final String name;
    private final URI baseUrl;
    private final String model;
    private final String apiKeyEnv;
    private final ApiKey apiKey;
    private final Duration timeout;
    private final int maxRetries;
    private final BigDecimal pricePer1kInput;
    private final BigDecimal pricePer1kOutput;

    private ProviderConfig(Builder b) {
        this.name = b.name;
        this.baseUrl = URI.create(stripSlash(b.baseUrl));
        this.model = b.model;
        this.apiKeyEnv = b.apiKeyEnv;
        this.apiKey = b.apiKey;
        this.timeout = b.timeout;
        this.maxRetries = b.maxRetries;
        this.pricePer1kInput = b.pricePer1kInput;
        this.pricePer1kOutput = b.pricePer1kOutput;
    }

    /**
     * @param name how results and errors name this provider: a letter or digit, then letters, digits, {@code . _ -}
     * @param baseUrl the API root that {@code /chat/completions} is appended to, e.g. {@code https://api.openai.com/v1}
     * @param model the model name sent in every request
     */
    public static Builder builder(String name, String baseUrl, String model) {
        return new Builder(name, baseUrl, model);
    }

    public String name() {
        return name;
    }

    /** Without a trailing slash. */
    public URI baseUrl() {
        return baseUrl;
    }

    public URI chatCompletionsUri() {
        return URI.create(baseUrl + "/chat/completions");
    }

    public String model() {
        return model;
    }

    /** The environment variable the key was read from, if it was. */
    public Optional<String> apiKeyEnv() {
        return Optional.ofNullable(apiKeyEnv);
    }

    public ApiKey apiKey() {
        return apiKey;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Attempts after the first one; a call makes at most {@code maxRetries + 1} requests to this provider. */
    public int maxRetries() {
        return maxRetries;
    }

    public Optional<BigDecimal> pricePer1kInput() {
        return Optional.ofNullable(pricePer1kInput);
    }

    public Optional<BigDecimal> pricePer1kOutput() {
        return Optional.ofNullable(pricePer1kOutput);
    }

    /** What {@code usage} cost at this provider's prices; empty without prices. */
    public Optional<BigDecimal> cost(Usage usage) {
        if (pricePer1kInput == null) {
            return Optional.empty();
        }
        BigDecimal in = pricePer1kInput.multiply(BigDecimal.valueOf(usage.promptTokens()));
        BigDecimal out = pricePer1kOutput.multiply(BigDecimal.valueOf(usage.completionTokens()));
        return Optional.of(in.add(out).divide(THOUSAND).stripTrailingZeros());
    }

    @Override
    public String toString() {
        return "ProviderConfig[name=" + name + ", base-url=" + baseUrl + ", model=" + model
                + ", key=" + (apiKeyEnv != null ? "from $" + apiKeyEnv : apiKey.isPresent() ? "set" : "none")
                + ", timeout-ms=" + timeout.toMillis() + ", max-retries=" + maxRetries
                + (pricePer1kInput == null ? "" : ", price-per-1k=" + pricePer1kInput + "/" + pricePer1kOutput) + "]";
    }

    /** Why {@code name} cannot name a provider, or null. */
    static String nameProblem(String name) {
        return name != null && NAME.matcher(name).matches() ? null
                : "must be a letter or digit followed by at most 63 letters, digits, '.', '_' or '-'";
    }

    /** Why {@code url} cannot be a base URL, or null. Never repeats the URL: it may carry credentials. */
    static String baseUrlProblem(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "is not a URL";
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            return "must start with http:// or https://";
        }
        if (uri.getHost() == null) {
            return "has no host";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not carry credentials (user:password@); name the key's variable with api-key-env";
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return "must not have a query or fragment (/chat/completions is appended to it)";
        }
        return null;
    }

    private static String stripSlash(String url) {
        String s = url;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    public static final class Builder {
        private final String name;
        private final String baseUrl;
        private final String model;
        private String apiKeyEnv;
        private ApiKey apiKey = ApiKey.none();
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private BigDecimal pricePer1kInput;
        private BigDecimal pricePer1kOutput;

        private Builder(String name, String baseUrl, String model) {
            this.name = name;
            this.baseUrl = baseUrl;
            this.model = model;
        }

        public Builder apiKey(ApiKey key) {
            this.apiKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** Records which environment variable the key came from, for messages and {@link #toString()}. */
        public Builder apiKeyEnv(String variable) {
            this.apiKeyEnv = variable;
            return this;
        }

        /** Longest wait for the response head, for a whole non-streamed answer, and between two stream lines. */
        public Builder timeout(Duration t) {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = t;
            return this;
        }

        public Builder maxRetries(int n) {
            if (n < 0 || n > MAX_MAX_RETRIES) {
                throw new IllegalArgumentException("max retries is 0 to " + MAX_MAX_RETRIES + ": " + n);
            }
            this.maxRetries = n;
            return this;
        }

        /** Prices per 1000 tokens, in whatever currency the caller counts in; both or neither. */
        public Builder prices(BigDecimal per1kInput, BigDecimal per1kOutput) {
            if (per1kInput.signum() < 0 || per1kOutput.signum() < 0) {
                throw new IllegalArgumentException("prices are never negative");
            }
            this.pricePer1kInput = per1kInput;
            this.pricePer1kOutput = per1kOutput;
            return this;
        }

        /** @throws IllegalArgumentException for a bad name, base URL or an empty model */
        public ProviderConfig build() {
            String problem = nameProblem(name);
            if (problem != null) {
                throw new IllegalArgumentException("provider name " + problem);
            }
            problem = baseUrl == null ? "is missing" : baseUrlProblem(baseUrl);
            if (problem != null) {
                throw new IllegalArgumentException("base URL of provider " + name + " " + problem);
            }
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("provider " + name + " needs a model");
            }
            return new ProviderConfig(this);
        }
    }
}
