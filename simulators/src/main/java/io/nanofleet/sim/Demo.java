package io.nanofleet.sim;

import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.server.FleetServer;
import io.nanofleet.server.Ports;
import io.nanofleet.server.ServerConfig;
import io.nanofleet.server.StartupException;
import io.nanofleet.server.store.DeviceRow;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The README's first command: a fleet server (embedded HiveMQ CE, SQLite) plus a simulated fleet, in one
 * process. Unlike {@code nanofleet-server serve}, it does not fail on a taken default port: it picks a
 * free one and says so, because a demo should just start. It binds every listener to loopback unless
 * {@code --host} says otherwise, and shows the real update trust model: the root and targets keys live in
 * a separate operator folder ({@link OperatorFolder}), never in the server's data directory.
 */
@Command(name = "nanofleet-demo", mixinStandardHelpOptions = true, version = "nanofleet-demo 0.1.0",
        description = "Run a fleet server with an embedded broker and SQLite, plus a simulated fleet.")
public final class Demo implements Callable<Integer> {
    static final int DEFAULT_HTTP_PORT = 8080;
    static final int DEFAULT_MQTT_PORT = 1883;
    static final int DEFAULT_MQTTS_PORT = 8883;
    static final int DEFAULT_COAP_PORT = 5684;
    /** The ota CLI as the reactor build leaves it, relative to the repository root. */
    static final String OTA_JAR = "ota/target/nanofleet-ota-0.1.0-SNAPSHOT-cli.jar";
    /** The hardware id of the simulated devices ({@link Fleet}). */
    static final String HARDWARE_ID = "sim";

    @Option(names = "--devices", defaultValue = "20", description = "Simulated devices (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--http-port", description = "HTTP port (default: 8080, or a free one if 8080 is taken).")
    Integer httpPort;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address every listener binds to: HTTP, MQTT (plain "
            + "and TLS) and CoAP (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 exposes the unauthenticated "
            + "development MQTT listener to the network).")
    String host;

    @Option(names = "--data-dir", description = "Where the demo keeps its state (server/ and operator/); kept on exit. "
            + "Default: a new temporary folder, removed on exit (it holds the device CA key and the admin token).")
    Path dataDir;

    @Option(names = "--telemetry-ms", defaultValue = "5000", description = "Summary uplink period (default: ${DEFAULT-VALUE}).")
    long telemetryMs;

    public static void main(String[] args) {
        io.nanofleet.server.Logging.configure();
        System.exit(new CommandLine(new Demo()).execute(args));
    }

    static int pick(String what, String host, int preferred) {
        if (Ports.isFree(host, preferred)) {
            return preferred;
        }
        int free = Ports.freePort();
        System.out.println("  (" + what + " port " + preferred + " is taken on this machine; using " + free + " instead)");
        return free;
    }

    static int pickUdp(String host, int preferred) throws IOException {
        InetAddress addr = InetAddress.getByName(host);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(addr, preferred))) {
            return preferred;
        } catch (IOException taken) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(addr, 0))) {
                System.out.println("  (CoAP port " + preferred + " is taken on this machine; using " + s.getLocalPort() + " instead)");
                return s.getLocalPort();
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (devices < 1) {
            System.err.println("nanofleet-demo: --devices must be at least 1");
            return 2;
        }
        boolean temporary = dataDir == null;
        Path dir = temporary ? Files.createTempDirectory("nanofleet-demo-") : dataDir;
        int http = httpPort != null ? httpPort : pick("HTTP", host, DEFAULT_HTTP_PORT);
        int mqtt = pick("MQTT", host, DEFAULT_MQTT_PORT);
        int mqtts = pick("MQTT TLS", host, DEFAULT_MQTTS_PORT);
        int coap = pickUdp(host, DEFAULT_COAP_PORT);
        System.out.println("Starting NanoFleet demo: fleet server + " + devices + " simulated devices...");
        FleetServer server;
        try {
            server = new FleetServer(ServerConfig.builder().httpHost(host).httpPort(http).mqttHost(host).mqttPort(mqtt)
                    .mqttsPort(mqtts).coapPort(coap).dataDir(dir.resolve("server")).build()).start();
        } catch (StartupException e) {
            System.err.println("nanofleet-demo: " + e.getMessage());
            removeIfTemporary(temporary, dir);
            return 1;
        }
        String urlHost = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host.contains(":") ? "[" + host + "]" : host;
        String api = "http://" + urlHost + ":" + server.httpPort();
        System.out.println("  Operator folder " + dir.resolve("operator") + ": root and targets keys (nanofleet-ota keygen prints "
                + "their key ids), root v1 signed there (init --online-keys) and uploaded, first model signed there...");
        OperatorFolder operator = publishOffline(dir.resolve("operator"), api, server.adminToken());
        // Simulated devices run the agent's own model updater, trusting the root the operator just uploaded.
        Fleet fleet = new Fleet(new Fleet.Spec(server.brokerUri(), devices, "sim-", 1000, telemetryMs)
                .withUpdates(new Fleet.Updates(api, Fleet.Updates.fetchRoot(api), dir.resolve("sim-devices"))));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping NanoFleet demo...");
            fleet.close();
            server.close();
            if (temporary) {
                removeIfTemporary(true, dir);
            } else {
                System.out.println("Kept " + dir.toAbsolutePath() + " (--data-dir): it holds the device CA key, the admin token "
                        + "and the operator's keys.");
            }
            stopped.countDown();
        }));
        fleet.start(n -> {
            if (n % 5 == 0 || n == devices) {
                System.out.println("  devices connected: " + n + "/" + devices);
            }
        });
        waitForOnline(server, devices);
        System.out.println();
        System.out.println("NanoFleet demo is running.");
        // The API needs a token; the demo hands out the bootstrap admin token it just created in its own data dir.
        String auth = "-H 'Authorization: Bearer " + server.adminToken() + "' ";
        System.out.println("  Dashboard:  " + api + "/#token=" + server.adminToken());
        System.out.println("  Devices:    curl " + auth + api + "/api/v1/devices");
        System.out.println("  Ping one:   curl -X POST " + auth + "-H 'Content-Type: application/json' -d '{\"action\":\"ping\"}' "
                + api + "/api/v1/devices/sim-0001/commands");
        System.out.println("  API token:  " + server.adminToken() + " (admin; also in " + dir.resolve("server").resolve("admin-token") + ")");
        System.out.println("  MQTT:       " + server.brokerUri() + " (embedded HiveMQ CE)");
        System.out.println("  Listeners:  HTTP " + host + ":" + server.httpPort() + ", MQTT " + host + ":" + mqtt + " (plain, development), "
                + "MQTT TLS " + host + ":" + mqtts + ", CoAP/DTLS udp " + host + ":" + coap
                + (host.equals("127.0.0.1") ? " (loopback only; --host ADDR changes that)" : ""));
        System.out.println("  Data:       " + dir.toAbsolutePath() + (temporary ? " (removed when the demo stops)" : " (kept: --data-dir)"));
        printOperator(operator, api, server.adminToken());
        System.out.println("Press Ctrl+C to stop.");
        stopped.await();
        return 0;
    }

    /**
     * The offline-keys flow: root and targets keys in the operator folder, root v1 signed there and uploaded (the
     * server never holds those keys), and a first model signed there and uploaded with its targets metadata.
     */
    private static OperatorFolder publishOffline(Path folder, String api, String token) throws Exception {
        OperatorFolder operator = OperatorFolder.openOrCreate(folder);
        if (!operator.hasRoot()) {
            operator.initServerRoot(api, token);
        }
        Files.createDirectories(folder.resolve("models"));
        if (operator.latestTargets().getFileName().toString().equals("1.targets.json")) {
            Path first = Files.write(folder.resolve("models").resolve("anomaly-v1.nfm"),
                    DemoModels.detector(SimulatedSensor.DEFAULT_CHANNELS, 1));
            operator.upload(api, token, first, "models/anomaly-v1.nfm", operator.sign(first, "models/anomaly-v1.nfm", HARDWARE_ID, 1));
        }
        Path next = nextModel(operator);
        if (!Files.exists(next)) {
            Files.write(next, DemoModels.detector(SimulatedSensor.DEFAULT_CHANNELS, nextNumber(operator)));
        }
        return operator;
    }

    /** Model N+1 after N published: targets version N+1 lists N models (version 1 lists none). */
    private static long nextNumber(OperatorFolder operator) throws IOException {
        String f = operator.latestTargets().getFileName().toString();
        return Long.parseLong(f.substring(0, f.indexOf('.')));
    }

    private static Path nextModel(OperatorFolder operator) throws IOException {
        return operator.dir().resolve("models").resolve("anomaly-v" + nextNumber(operator) + ".nfm");
    }

    private static void printOperator(OperatorFolder operator, String api, String token) throws IOException {
        long n = nextNumber(operator);
        Path model = nextModel(operator);
        String name = "models/anomaly-v" + n + ".nfm";
        Path targets = operator.repo().resolve("metadata").resolve((n + 1) + ".targets.json");
        System.out.println("  Operator:   " + operator.dir().toAbsolutePath() + " (root.key, targets.key: encrypted; their password: "
                + operator.password().toAbsolutePath() + ", owner-only). The server holds only its online keys.");
        System.out.println("  Publish the next model (signed offline with the targets key; run from the repository root):");
        System.out.println("    java -jar " + OTA_JAR + " add-target --repo " + operator.repo().toAbsolutePath() + " --file "
                + model.toAbsolutePath() + " --name " + name + " --kind anomaly-model --hardware-id " + HARDWARE_ID
                + " --release-counter " + n + " --key " + operator.targetsKey().toAbsolutePath() + " --password-file "
                + operator.password().toAbsolutePath());
        System.out.println("    curl -H 'Authorization: Bearer " + token + "' -F model=@" + model.toAbsolutePath() + " -F name=" + name
                + " -F targetsMetadata=@" + targets.toAbsolutePath() + " " + api + "/api/v1/models");
    }

    private static void removeIfTemporary(boolean temporary, Path dir) {
        if (!temporary) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
            System.out.println("Removed " + dir.toAbsolutePath() + " (it held the device CA key, the admin token and the "
                    + "operator's keys; --data-dir keeps them).");
        } catch (IOException | RuntimeException e) {
            System.out.println("Could not remove " + dir.toAbsolutePath() + ": " + e.getMessage() + "; delete it by hand (it holds "
                    + "the device CA key and the admin token).");
        }
    }

    private static void waitForOnline(FleetServer server, int expected) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        long online = 0;
        while (System.currentTimeMillis() < deadline) {
            online = server.store().devices().stream().filter(DeviceRow::online).count();
            if (online >= expected) {
                return;
            }
            Thread.sleep(200);
        }
        System.out.println("  warning: only " + online + "/" + expected + " devices reported online within 30 s");
    }
}
