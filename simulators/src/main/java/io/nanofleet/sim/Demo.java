package io.nanofleet.sim;

import io.nanofleet.server.FleetServer;
import io.nanofleet.server.Ports;
import io.nanofleet.server.ServerConfig;
import io.nanofleet.server.StartupException;
import io.nanofleet.server.store.DeviceRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The README's first command: a fleet server (embedded HiveMQ CE, SQLite) plus a simulated fleet, in one
 * process. Unlike {@code nanofleet-server serve}, it does not fail on a taken default port: it picks a
 * free one and says so, because a demo should just start.
 */
@Command(name = "nanofleet-demo", mixinStandardHelpOptions = true, version = "nanofleet-demo 0.1.0",
        description = "Run a fleet server with an embedded broker and SQLite, plus a simulated fleet.")
public final class Demo implements Callable<Integer> {
    static final int DEFAULT_HTTP_PORT = 8080;
    static final int DEFAULT_MQTT_PORT = 1883;
    static final int DEFAULT_MQTTS_PORT = 8883;

    @Option(names = "--devices", defaultValue = "20", description = "Simulated devices (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--http-port", description = "HTTP port (default: 8080, or a free one if 8080 is taken).")
    Integer httpPort;

    @Option(names = "--data-dir", description = "Where the demo keeps its database (default: a new temporary folder).")
    Path dataDir;

    @Option(names = "--telemetry-ms", defaultValue = "5000", description = "Summary uplink period (default: ${DEFAULT-VALUE}).")
    long telemetryMs;

    public static void main(String[] args) {
        io.nanofleet.server.Logging.configure();
        System.exit(new CommandLine(new Demo()).execute(args));
    }

    static int pick(String what, int preferred) {
        if (Ports.isFree("0.0.0.0", preferred)) {
            return preferred;
        }
        int free = Ports.freePort();
        System.out.println("  (" + what + " port " + preferred + " is taken on this machine; using " + free + " instead)");
        return free;
    }

    @Override
    public Integer call() throws Exception {
        if (devices < 1) {
            System.err.println("nanofleet-demo: --devices must be at least 1");
            return 2;
        }
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("nanofleet-demo-");
        int http = httpPort != null ? httpPort : pick("HTTP", DEFAULT_HTTP_PORT);
        int mqtt = pick("MQTT", DEFAULT_MQTT_PORT);
        int mqtts = pick("MQTT TLS", DEFAULT_MQTTS_PORT);
        System.out.println("Starting NanoFleet demo: fleet server + " + devices + " simulated devices...");
        FleetServer server;
        try {
            server = new FleetServer(ServerConfig.builder().httpPort(http).mqttPort(mqtt).mqttsPort(mqtts).coapPort(0).dataDir(dir).build()).start();
        } catch (StartupException e) {
            System.err.println("nanofleet-demo: " + e.getMessage());
            return 1;
        }
        Fleet fleet = new Fleet(new Fleet.Spec(server.brokerUri(), devices, "sim-", 1000, telemetryMs));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping NanoFleet demo...");
            fleet.close();
            server.close();
            stopped.countDown();
        }));
        fleet.start(n -> {
            if (n % 5 == 0 || n == devices) {
                System.out.println("  devices connected: " + n + "/" + devices);
            }
        });
        waitForOnline(server, devices);
        int port = server.httpPort();
        System.out.println();
        System.out.println("NanoFleet demo is running.");
        // The API needs a token; the demo hands out the bootstrap admin token it just created in its own data dir.
        String auth = "-H 'Authorization: Bearer " + server.adminToken() + "' ";
        System.out.println("  Dashboard:  http://localhost:" + port + "/#token=" + server.adminToken());
        System.out.println("  Devices:    curl " + auth + "localhost:" + port + "/api/v1/devices");
        System.out.println("  Ping one:   curl -X POST " + auth + "-H 'Content-Type: application/json' -d '{\"action\":\"ping\"}' "
                + "localhost:" + port + "/api/v1/devices/sim-0001/commands");
        System.out.println("  API token:  " + server.adminToken() + " (admin; also in " + dir.resolve("admin-token") + ")");
        System.out.println("  MQTT:       " + server.brokerUri() + " (embedded HiveMQ CE)");
        System.out.println("  Data:       " + dir.toAbsolutePath());
        System.out.println("Press Ctrl+C to stop.");
        stopped.await();
        return 0;
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
