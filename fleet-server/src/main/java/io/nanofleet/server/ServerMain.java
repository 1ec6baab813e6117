package io.nanofleet.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nanofleet-server serve}: the operator's entry point. */
@Command(name = "nanofleet-server", mixinStandardHelpOptions = true, version = "nanofleet-server 0.1.0",
        description = "NanoFleet fleet server.", subcommands = {ServerMain.Serve.class})
public final class ServerMain implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }

    public static void main(String[] args) {
        Logging.configure();
        System.exit(new CommandLine(new ServerMain()).execute(args));
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Run the server: embedded MQTT broker (unless --broker), SQLite store, HTTP API and dashboard.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--http-host", defaultValue = "0.0.0.0", description = "HTTP bind address (default: ${DEFAULT-VALUE}).")
        String httpHost;

        @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
        int httpPort;

        @Option(names = "--mqtt-host", defaultValue = "0.0.0.0", description = "Embedded broker bind address (default: ${DEFAULT-VALUE}).")
        String mqttHost;

        @Option(names = "--mqtt-port", defaultValue = "1883", description = "Embedded broker port (default: ${DEFAULT-VALUE}).")
        int mqttPort;

        @Option(names = "--broker", description = "Use this external MQTT 5 broker (mqtt://host:port) and start none.")
        String broker;

        @Option(names = "--db", description = "SQLite file or jdbc: URL (default: <data-dir>/nanofleet.db).")
        String db;

        @Option(names = "--data-dir", defaultValue = "nanofleet-data", description = "State directory (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Override
        public Integer call() throws Exception {
            ServerConfig config;
            try {
                config = ServerConfig.builder().httpHost(httpHost).httpPort(httpPort).mqttHost(mqttHost).mqttPort(mqttPort)
                        .externalBroker(broker).db(db).dataDir(dataDir).build();
            } catch (IllegalArgumentException e) {
                System.err.println("nanofleet-server: " + e.getMessage());
                return 2;
            }
            FleetServer server;
            try {
                server = new FleetServer(config).start();
            } catch (StartupException e) {
                System.err.println("nanofleet-server: " + e.getMessage());
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }));
            System.out.println("NanoFleet server: http://localhost:" + server.httpPort() + "/  devices: " + server.brokerUri()
                    + "  (Ctrl+C stops)");
            if (server.adminToken() != null) {
                System.out.println("Admin API token: " + config.dataDir().resolve("admin-token")
                        + " (create named tokens with POST /api/v1/tokens, then delete that file)");
            }
            stopped.await();
            return 0;
        }
    }
}
