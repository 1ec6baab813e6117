package io.nanofleet.agent.cli;

import io.nanofleet.protocols.DaemonThreads;
import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.config.AgentConfig;
import io.nanofleet.agent.config.ConfigException;
import io.nanofleet.agent.config.Settings;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.ask.AskOptions;
import io.nanofleet.agent.ask.Bindings;
import io.nanofleet.agent.sensor.CsvReplaySensor;
import io.nanofleet.agent.sensor.ModbusConnection;
import io.nanofleet.agent.sensor.ModbusWriter;
import io.nanofleet.agent.sensor.ModbusRegister;
import io.nanofleet.agent.sensor.ModbusSensor;
import io.nanofleet.agent.sensor.SensorSource;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.agent.sensor.SysfsSensor;
import io.nanofleet.agent.transport.CoapUplink;
import io.nanofleet.agent.transport.MqttUplink;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.model.DetectorModelFile;
import io.nanofleet.intents.model.CommandModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.paho.mqttv5.common.MqttException;

/** Turns a checked {@link AgentConfig} and the enrolled {@link Credentials} into a running agent's parts. */
final class AgentFactory {
    private AgentFactory() {}

    static SensorSource sensor(AgentConfig cfg) throws IOException, ConfigException {
        switch (cfg.string(Settings.SENSOR)) {
            case "csv":
                return new CsvReplaySensor(cfg.path(Settings.CSV_FILE), cfg.flag(Settings.CSV_LOOP));
            case "sysfs":
                return new SysfsSensor(cfg.path(Settings.THERMAL_ROOT));
            case "modbus":
                List<ModbusRegister> map;
                try {
                    map = ModbusRegister.parseMap(cfg.string(Settings.MODBUS_REGISTERS));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("config", List.of(Settings.MODBUS_REGISTERS + ": " + e.getMessage()));
                }
                return new ModbusSensor(cfg.string(Settings.MODBUS_HOST), cfg.intValue(Settings.MODBUS_PORT),
                        cfg.intValue(Settings.MODBUS_UNIT), cfg.intValue(Settings.MODBUS_TIMEOUT), map);
            default:
                return new SimulatedSensor(cfg.longValue(Settings.SIM_SEED));
        }
    }

    /**
     * The ask settings: the shipped command model (an installed update replaces it at run time), the built-in and
     * configured bindings (every bad {@code ask.bind.*} line reported, by key), the operator socket, and the Modbus
     * connection bound writes use: the Modbus sensor's own, or one to {@code sensor.modbus.host} when another
     * sensor reads samples.
     */
    static AskOptions ask(AgentConfig cfg, SensorSource sensor) throws ConfigException {
        CommandModel model = CommandModel.bundled();
        ModbusWriter modbus = sensor instanceof ModbusSensor m ? m.connection()
                : cfg.isSet(Settings.MODBUS_HOST) ? new ModbusConnection(cfg.string(Settings.MODBUS_HOST),
                        cfg.intValue(Settings.MODBUS_PORT), cfg.intValue(Settings.MODBUS_UNIT), cfg.intValue(Settings.MODBUS_TIMEOUT))
                : null;
        Bindings bindings;
        try {
            bindings = Bindings.of(cfg.withPrefix(Settings.ASK_BIND_PREFIX), model.localIntents(), modbus != null);
        } catch (Bindings.InvalidBindingsException e) {
            throw new ConfigException("config", e.problems());
        }
        return AskOptions.of(model).bindings(bindings).modbus(modbus).socket(socketPath(cfg))
                .offloadExpiryMs(cfg.longValue(Settings.ASK_OFFLOAD_EXPIRY) * 1000)
                .confirmWindowMs(cfg.longValue(Settings.ASK_CONFIRM_TIMEOUT) * 1000)
                .maxPending(cfg.intValue(Settings.ASK_MAX_PENDING));
    }

    /** {@code ask.socket}, or {@code <state.dir>/agent.sock}. */
    static Path socketPath(AgentConfig cfg) {
        return cfg.isSet(Settings.ASK_SOCKET) ? cfg.path(Settings.ASK_SOCKET) : cfg.path(Settings.STATE_DIR).resolve("agent.sock");
    }

    static DeviceAgent build(AgentConfig cfg, Credentials creds, Runnable restart)
            throws IOException, GeneralSecurityException, ConfigException, MqttException {
        String id = cfg.string(Settings.DEVICE_ID);
        if (id.isEmpty()) {
            throw new ConfigException("config", List.of(Settings.DEVICE_ID + " is not set (run 'nanofleet-agent enroll' first)"));
        }
        boolean coap = cfg.string(Settings.TRANSPORT).equals("coap");
        String url = cfg.string(coap ? Settings.COAP_URL : Settings.MQTT_URL);
        if (url.isEmpty()) {
            throw new ConfigException("config", List.of((coap ? Settings.COAP_URL : Settings.MQTT_URL)
                    + " is not set (enroll sets it, or write it into the config file)"));
        }
        boolean tls = coap ? url.startsWith("coaps://") : MqttUplink.isTls(url);
        if (tls && !creds.enrolled()) {
            throw new ConfigException("config", List.of("TLS needs the device certificate but " + creds.dir()
                    + " holds none; run 'nanofleet-agent enroll --server URL --token TOKEN' first"));
        }
        DetectorConfig dc = new DetectorConfig(DetectorConfig.DEFAULT.window(), DetectorConfig.DEFAULT.baselineTau(),
                DetectorConfig.DEFAULT.freezeZ(), DetectorConfig.DEFAULT.quantile(), cfg.doubleValue(Settings.THRESHOLD_FACTOR),
                DetectorConfig.DEFAULT.releaseRatio(), cfg.intValue(Settings.CALIBRATION_ROWS));
        // Two threads: calibration (training a model, seconds on a small CPU) must not hold up the uplink.
        SensorSource sensor = sensor(cfg);
        AskOptions ask = cfg.flag(Settings.ASK_ENABLED) ? ask(cfg, sensor) : null;
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.numbered("agent"));
        io.nanofleet.agent.DeviceAgentBuilder b = DeviceAgent.builder().deviceId(id).hardwareId(cfg.string(Settings.HARDWARE_ID))
                .sensor(sensor).ask(ask).sampleIntervalMs(cfg.longValue(Settings.SAMPLE_INTERVAL))
                .telemetryIntervalMs(cfg.longValue(Settings.TELEMETRY_INTERVAL))
                .stateIntervalMs(cfg.longValue(Settings.STATE_INTERVAL))
                .stateDir(cfg.path(Settings.STATE_DIR))
                .queue(cfg.longValue(Settings.QUEUE_MAX_BYTES), cfg.longValue(Settings.QUEUE_SEGMENT_BYTES),
                        cfg.string(Settings.QUEUE_FSYNC).equals("always"))
                .detector(cfg.flag(Settings.DETECTOR)).detectorConfig(dc)
                .eventContextRows(cfg.intValue(Settings.EVENT_CONTEXT))
                .maxRawSeconds(cfg.longValue(Settings.RAW_MAX_SECONDS))
                .mqttSession(cfg.intValue(Settings.MQTT_KEEP_ALIVE), cfg.longValue(Settings.MQTT_SESSION_EXPIRY))
                .reconnect(cfg.longValue(Settings.RECONNECT_MIN), cfg.longValue(Settings.RECONNECT_MAX))
                .startTimeoutMs(0).restartHook(restart).scheduler(scheduler);
        if (creds.has(Credentials.COMMAND_KEY)) {
            b.commandKey(creds.commandKey());
        } else if (cfg.flag(Settings.COMMANDS_REQUIRE_SIGNATURE)) {
            throw new ConfigException("config", List.of(Settings.COMMANDS_REQUIRE_SIGNATURE
                    + " = true but no command key is stored in " + creds.dir() + "; enroll first, or set it to false on a test bench"));
        }
        if (coap) {
            b.uplink(new CoapUplink(url, id, tls ? creds : null, scheduler,
                    cfg.longValue(Settings.RECONNECT_MIN), cfg.longValue(Settings.RECONNECT_MAX)));
        } else {
            b.broker(url);
            if (tls) {
                b.tls(creds.sslContext());
            }
        }
        if (cfg.isSet(Settings.DETECTOR_MODEL) && cfg.flag(Settings.DETECTOR)) {
            Path model = cfg.path(Settings.DETECTOR_MODEL);
            DetectorModelFile.Loaded loaded = DetectorModelFile.read(model);
            if (!loaded.channels().equals(b.sensorChannels())) {
                throw new ConfigException("config", List.of(Settings.DETECTOR_MODEL + ": " + model + " is for channels "
                        + loaded.channels() + ", the sensor has " + b.sensorChannels()));
            }
            b.detectorModel(loaded, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(model))));
        }
        ModelUpdaters.configure(b, cfg, creds);
        DeviceAgent agent = b.build();
        return agent;
    }
}
