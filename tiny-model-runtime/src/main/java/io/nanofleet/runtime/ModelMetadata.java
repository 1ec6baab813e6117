package io.nanofleet.runtime;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a device needs to feed a model and interpret its output, stored in the model file next to the graph:
 * model kind, input schema (channel names, window length), scaler parameters, class labels and free-form
 * string properties (e.g. a calibrated anomaly threshold). Immutable; use {@link #builder()} or {@link #toBuilder()}.
 */
public final class ModelMetadata {
    private final String kind;
    private final List<String> channels;
    private final int windowLength;
    private final Map<String, float[]> scalers;
    private final List<String> labels;
    private final Map<String, String> properties;

    private ModelMetadata(Builder b) {
        this.kind = b.kind;
        this.channels = List.copyOf(b.channels);
        this.windowLength = b.windowLength;
        Map<String, float[]> s = new LinkedHashMap<>();
        b.scalers.forEach((k, v) -> s.put(k, v.clone()));
        this.scalers = Collections.unmodifiableMap(s);
        this.labels = List.copyOf(b.labels);
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(b.properties));
    }

    public static ModelMetadata empty() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder().kind(kind).channels(channels).windowLength(windowLength).labels(labels);
        scalers.forEach(b::scaler);
        properties.forEach(b::property);
        return b;
    }

    /** e.g. "anomaly-autoencoder", "command-classifier"; empty when unset. */
    public String kind() {
        return kind;
    }

    public List<String> channels() {
        return channels;
    }

    /** Samples per channel in one input window; 0 when the input is not a window. */
    public int windowLength() {
        return windowLength;
    }

    /** Named scaler arrays (e.g. "mean", "std"), returned as copies. */
    public float[] scaler(String name) {
        float[] v = scalers.get(name);
        return v == null ? null : v.clone();
    }

    public Map<String, float[]> scalers() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        scalers.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    public List<String> labels() {
        return labels;
    }

    public String property(String key) {
        return properties.get(key);
    }

    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ModelMetadata m)) {
            return false;
        }
        if (scalers.size() != m.scalers.size()) {
            return false;
        }
        for (Map.Entry<String, float[]> e : scalers.entrySet()) {
            if (!Arrays.equals(e.getValue(), m.scalers.get(e.getKey()))) {
                return false;
            }
        }
        return kind.equals(m.kind) && channels.equals(m.channels) && windowLength == m.windowLength
                && labels.equals(m.labels) && properties.equals(m.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, channels, windowLength, labels, properties, scalers.keySet());
    }

    @Override
    public String toString() {
        return "ModelMetadata{kind=" + kind + ", channels=" + channels + ", windowLength=" + windowLength
                + ", scalers=" + scalers.keySet() + ", labels=" + labels + ", properties=" + properties + "}";
    }

    public static final class Builder {
        private String kind = "";
        private List<String> channels = List.of();
        private int windowLength;
        private final Map<String, float[]> scalers = new LinkedHashMap<>();
        private List<String> labels = List.of();
        private final Map<String, String> properties = new LinkedHashMap<>();

        public Builder kind(String kind) {
            this.kind = Objects.requireNonNull(kind);
            return this;
        }

        public Builder channels(List<String> channels) {
            this.channels = List.copyOf(channels);
            return this;
        }

        public Builder windowLength(int windowLength) {
            if (windowLength < 0) {
                throw new IllegalArgumentException("windowLength must be >= 0");
            }
            this.windowLength = windowLength;
            return this;
        }

        public Builder scaler(String name, float[] values) {
            scalers.put(Objects.requireNonNull(name), values.clone());
            return this;
        }

        public Builder labels(List<String> labels) {
            this.labels = List.copyOf(labels);
            return this;
        }

        public Builder property(String key, String value) {
            properties.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
            return this;
        }

        public ModelMetadata build() {
            return new ModelMetadata(this);
        }
    }
}
