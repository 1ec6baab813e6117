package io.nanofleet.agent.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every key the agent's configuration file may hold. README.md documents the same table. */
public final class Settings {
    public static final String DEVICE_ID = "device.id";
    public static final String HARDWARE_ID = "device.hardware-id";
    public static final String STATE_DIR = "state.dir";
    public static final String TRANSPORT = "transport";
    public static final String MQTT_URL = "mqtt.url";
    public static final String MQTT_KEEP_ALIVE = "mqtt.keep-alive-s";
    public static final String MQTT_SESSION_EXPIRY = "mqtt.session-expiry-s";
    public static final String COAP_URL = "coap.url";
    public static final String RECONNECT_MIN = "reconnect.min-ms";
    public static final String RECONNECT_MAX = "reconnect.max-ms";
    public static final String SENSOR = "sensor.type";
    public static final String SAMPLE_INTERVAL = "sensor.sample-interval-ms";
    public static final String SIM_SEED = "sensor.simulated.seed";
    public static final String CSV_FILE = "sensor.csv.file";
    public static final String CSV_LOOP = "sensor.csv.loop";
    public static final String THERMAL_ROOT = "sensor.sysfs.root";
    public static final String MODBUS_HOST = "sensor.modbus.host";
    public static final String MODBUS_PORT = "sensor.modbus.port";
    public static final String MODBUS_UNIT = "sensor.modbus.unit-id";
    public static final String MODBUS_REGISTERS = "sensor.modbus.registers";
    public static final String MODBUS_TIMEOUT = "sensor.modbus.timeout-ms";
    public static final String TELEMETRY_INTERVAL = "telemetry.interval-ms";
    public static final String STATE_INTERVAL = "state.interval-ms";
    public static final String DETECTOR = "detector.enabled";
    public static final String DETECTOR_MODEL = "detector.model";
    public static final String CALIBRATION_ROWS = "detector.calibration-rows";
    public static final String THRESHOLD_FACTOR = "detector.threshold-factor";
    public static final String EVENT_CONTEXT = "event.context-rows";
    public static final String QUEUE_MAX_BYTES = "queue.max-bytes";
    public static final String QUEUE_SEGMENT_BYTES = "queue.segment-bytes";
    public static final String QUEUE_FSYNC = "queue.fsync";
    public static final String RAW_MAX_SECONDS = "raw.max-duration-s";
    public static final String COMMANDS_REQUIRE_SIGNATURE = "commands.require-signature";
    public static final String OTA_SERVER = "ota.server-url";
    public static final String OTA_HEALTH_SAMPLES = "ota.health-samples";
    public static final String ASK_ENABLED = "ask.enabled";
    public static final String ASK_SOCKET = "ask.socket";
    public static final String ASK_OFFLOAD_EXPIRY = "ask.offload-expiry-s";
    public static final String ASK_CONFIRM_TIMEOUT = "ask.confirm-timeout-s";
    public static final String ASK_MAX_PENDING = "ask.max-pending";
    /** {@code ask.bind.<intent> = action:...|modbus-coil:...|modbus-register:...|reply:...|none}: one key per intent. */
    public static final String ASK_BIND_PREFIX = "ask.bind.";
    private static final java.util.regex.Pattern INTENT = java.util.regex.Pattern.compile("[a-z0-9_]{1,64}");

    static final Map<String, Setting> ALL = new LinkedHashMap<>();

    static {
        add(Setting.string(DEVICE_ID, "", "device id (the certificate's CN); set by enroll"));
        add(Setting.string(HARDWARE_ID, "generic", "hardware id reported in state and matched by updates"));
        add(Setting.path(STATE_DIR, "/var/lib/nanofleet", "keys, certificates, queue and command log"));
        add(Setting.choice(TRANSPORT, "mqtt", List.of("mqtt", "coap"), "uplink transport"));
        add(Setting.url(MQTT_URL, "", "broker; mqtts:// or ssl:// uses TLS with the device certificate; set by enroll"));
        add(Setting.number(MQTT_KEEP_ALIVE, 30, 5, 3600, "MQTT keep-alive"));
        add(Setting.number(MQTT_SESSION_EXPIRY, 86_400, 0, 4_294_967_295L, "how long the broker keeps the session while offline"));
        add(Setting.url(COAP_URL, "", "coaps:// server for the CoAP transport; set by enroll"));
        add(Setting.number(RECONNECT_MIN, 1000, 10, 600_000, "first reconnect delay (doubles, with jitter)"));
        add(Setting.number(RECONNECT_MAX, 60_000, 100, 3_600_000, "reconnect delay cap"));
        add(Setting.choice(SENSOR, "simulated", List.of("simulated", "csv", "sysfs", "modbus"), "where samples come from"));
        add(Setting.number(SAMPLE_INTERVAL, 1000, 1, 3_600_000, "time between two samples").atRuntime());
        add(Setting.number(SIM_SEED, 42, Long.MIN_VALUE, Long.MAX_VALUE, "seed of the simulated sensor"));
        add(Setting.path(CSV_FILE, "", "SKAB-format file replayed by the csv sensor"));
        add(Setting.flag(CSV_LOOP, true, "start the csv file again at its end"));
        add(Setting.path(THERMAL_ROOT, "/sys/class", "root holding thermal/thermal_zone*/temp and hwmon/hwmon*/temp*_input"));
        add(Setting.string(MODBUS_HOST, "", "Modbus TCP server"));
        add(Setting.number(MODBUS_PORT, 502, 1, 65_535, "Modbus TCP port"));
        add(Setting.number(MODBUS_UNIT, 1, 0, 255, "Modbus unit id"));
        add(Setting.string(MODBUS_REGISTERS, "", "register map: name:holding|input:address[:scale], comma separated"));
        add(Setting.number(MODBUS_TIMEOUT, 2000, 100, 60_000, "Modbus request timeout"));
        add(Setting.number(TELEMETRY_INTERVAL, 60_000, 100, 86_400_000, "one summary per this interval (60 s: 35x fewer bytes than raw, BENCHMARKS.md)").atRuntime());
        add(Setting.number(STATE_INTERVAL, 60_000, 1000, 86_400_000, "retained state (with counters) refresh"));
        add(Setting.flag(DETECTOR, true, "run the anomaly detector"));
        add(Setting.path(DETECTOR_MODEL, "", "fleet model file (.nfm); empty = train on the device from calibration rows"));
        add(Setting.number(CALIBRATION_ROWS, 400, 30, 100_000, "normal samples to calibrate on"));
        add(Setting.decimal(THRESHOLD_FACTOR, 1.5, 0, 100, "threshold = 99th percentile of calibration scores x this").atRuntime());
        add(Setting.number(EVENT_CONTEXT, 32, 1, 512, "raw rows before and after the trigger in an anomaly event"));
        add(Setting.number(QUEUE_MAX_BYTES, 16L << 20, 64L << 10, 1L << 40, "disk bound of the store-and-forward queue"));
        add(Setting.number(QUEUE_SEGMENT_BYTES, 256L << 10, 4L << 10, 64L << 20, "size of one queue segment file"));
        add(Setting.choice(QUEUE_FSYNC, "always", List.of("always", "never"),
                "always: every queued message is on disk before append returns (survives power loss)"));
        add(Setting.number(RAW_MAX_SECONDS, 600, 1, 86_400, "longest raw streaming a command may ask for").atRuntime());
        add(Setting.flag(COMMANDS_REQUIRE_SIGNATURE, true, "refuse commands not signed by the enrolled command key"));
        add(Setting.url(OTA_SERVER, "", "fleet server for model updates (TUF metadata and targets); set by enroll; empty = no updates"));
        add(Setting.number(OTA_HEALTH_SAMPLES, 600, 10, 10_000_000, "scored samples a new model runs in shadow before commit or rollback"));
        add(Setting.flag(ASK_ENABLED, true, "answer questions: the operator socket and the fleet's ask command"));
        add(Setting.path(ASK_SOCKET, "", "operator socket (Unix domain, owner-only); empty = <state.dir>/agent.sock"));
        add(Setting.number(ASK_OFFLOAD_EXPIRY, 3600, 1, 604_800, "how long a question handed to the fleet waits for its answer (queued on disk while offline)"));
        add(Setting.number(ASK_CONFIRM_TIMEOUT, 60, 5, 3600, "how long a destructive action waits for 'confirm <token>'"));
        add(Setting.number(ASK_MAX_PENDING, 100, 1, 10_000, "questions that may wait for the fleet at once"));
    }

    private Settings() {}

    private static void add(Setting s) {
        ALL.put(s.key(), s);
    }

    /** The setting {@code key}, or null; {@code ask.bind.<intent>} keys exist for every intent name. */
    public static Setting get(String key) {
        Setting s = ALL.get(key);
        if (s == null && key.startsWith(ASK_BIND_PREFIX) && INTENT.matcher(key.substring(ASK_BIND_PREFIX.length())).matches()) {
            return Setting.string(key, "", "what the intent does on this device (checked at start-up)");
        }
        return s;
    }

    public static Iterable<Setting> all() {
        return ALL.values();
    }
}
