package io.nanofleet.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nanofleet-server serve}: the operator's entry point. */
@Command(name = "nanofleet-server", mixinStandardHelpOptions = true, version = "nanofleet-server 0.1.0",
        description = "NanoFleet fleet server.", subcommands = {ServerMain.Serve.class, ServerMain.BrokerCert.class})
public final class ServerMain implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }

    public static void main(String[] args) {
        Logging.configure();
        System.exit(new CommandLine(new ServerMain()).execute(args));
    }

    @Command(name = "broker-cert", mixinStandardHelpOptions = true,
            description = "Write a TLS certificate from the device CA for an external broker (Mosquitto): "
                    + "ca-cert.pem, broker-cert.pem, broker-key.pem. See fleet-server/mosquitto/ for the matching configuration.")
    static final class BrokerCert implements Callable<Integer> {
        @Option(names = "--data-dir", defaultValue = "nanofleet-data", description = "The server's state directory (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--ca-password-file", description = "File with the device CA key's password (as for serve).")
        Path caPasswordFile;

        @Option(names = "--host", required = true, split = ",", description = "Host names / IP addresses devices use to reach the broker.")
        java.util.List<String> hosts;

        @Option(names = "--out", required = true, description = "Directory to write the three PEM files to.")
        Path out;

        @Override
        public Integer call() {
            try {
                var ca = io.nanofleet.server.identity.DeviceCa.openOrCreate(io.nanofleet.server.identity.CaPassword.caDir(dataDir),
                        io.nanofleet.server.identity.CaPassword.resolve(caPasswordFile, dataDir));
                io.nanofleet.server.broker.BrokerCertificates.write(ca, hosts, out);
                return 0;
            } catch (StartupException e) {
                System.err.println("nanofleet-server: " + e.getMessage());
                return 1;
            } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                System.err.println("nanofleet-server: cannot write the broker certificate to " + out + ": " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Run the server: embedded MQTT broker (unless --broker), SQLite store, HTTP API and dashboard.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--http-host", defaultValue = "127.0.0.1",
                description = "HTTP bind address (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every interface).")
        String httpHost;

        @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
        int httpPort;

        @Option(names = "--https", description = "Serve the HTTP API over TLS with a certificate from the device CA "
                + "(devices enroll with nanofleet-agent enroll --server-ca <data-dir>/ca/ca-cert.pem).")
        boolean https;

        @Option(names = "--mqtt-host", defaultValue = "127.0.0.1",
                description = "Embedded broker bind address of the TLS and plain listeners (default: ${DEFAULT-VALUE}, this machine "
                        + "only; devices on other machines need e.g. 0.0.0.0, best with --no-plain-mqtt).")
        String mqttHost;

        @Option(names = "--mqtts-port", defaultValue = "8883",
                description = "Embedded broker's device listener: mutual TLS, client certificate from the device CA required (default: ${DEFAULT-VALUE}).")
        int mqttsPort;

        @Option(names = "--mqtt-port", defaultValue = "1883",
                description = "Plain, unauthenticated listener FOR DEVELOPMENT (simulators, demo); devices on it are auto-registered "
                        + "(default: ${DEFAULT-VALUE}).")
        int mqttPort;

        @Option(names = "--no-plain-mqtt", description = "Run no plain listener: only enrolled devices over TLS (recommended in production).")
        boolean noPlainMqtt;

        @Option(names = "--broker", description = "Use this external MQTT 5 broker (mqtt://host:port, or mqtts://host:port with the "
                + "server's client certificate from the device CA) and start none.")
        String broker;

        @Option(names = "--db", description = "SQLite file, postgresql://host:port/db?user=..., or a jdbc: URL (default: <data-dir>/nanofleet.db).")
        String db;

        @Option(names = "--data-dir", defaultValue = "nanofleet-data", description = "State directory (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--ca-password-file", description = "File with the device CA key's password (else $NANOFLEET_CA_PASSWORD, "
                + "else <data-dir>/ca/ca-password, generated at first start).")
        Path caPasswordFile;

        @Option(names = "--public-host", description = "Host name devices use to reach this server (enrollment answer, TLS certificate).")
        String publicHost;

        @Option(names = "--coap-port", defaultValue = "5684", description = "UDP port of the CoAP-over-DTLS device endpoint (default: ${DEFAULT-VALUE}).")
        int coapPort;

        @Option(names = "--raw-retention-hours", defaultValue = "168",
                description = "Keep raw summaries this long, then only hourly aggregates (default: ${DEFAULT-VALUE}).")
        long rawRetentionHours;

        @Option(names = "--online-targets-key", description = "The server creates the update channel's root and targets keys "
                + "itself and signs uploaded models online. This gives up the offline keys' protection: anyone who copies the "
                + "data directory can publish models that devices install. Default: offline keys (an admin uploads root "
                + "signed with nanofleet-ota; see fleet-server/README.md, 'Offline keys').")
        boolean onlineTargetsKey;

        @Override
        public Integer call() throws Exception {
            ServerConfig config;
            try {
                config = ServerConfig.builder().httpHost(httpHost).httpPort(httpPort).mqttHost(mqttHost).mqttPort(mqttPort)
                        .mqttsPort(mqttsPort).plainMqtt(!noPlainMqtt).coapPort(coapPort).externalBroker(broker).db(db)
                        .dataDir(dataDir).caPasswordFile(caPasswordFile).publicHost(publicHost)
                        .rawRetention(java.time.Duration.ofHours(rawRetentionHours)).https(https).onlineTargetsKey(onlineTargetsKey).build();
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
            System.out.println("NanoFleet server: http://localhost:" + server.httpPort() + "/  devices: "
                    + (server.tlsUri() != null ? server.tlsUri().replace("ssl://", "mqtts://") : server.brokerUri()) + "  (Ctrl+C stops)");
            if (!config.usesExternalBroker() && config.plainMqtt()) {
                System.out.println("Warning: the plain MQTT listener on port " + config.mqttPort()
                        + " accepts unauthenticated devices (development only); --no-plain-mqtt turns it off.");
            }
            if (server.adminToken() != null) {
                System.out.println("Admin API token: " + config.dataDir().resolve("admin-token")
                        + " (create named tokens with POST /api/v1/tokens, then delete that file)");
            }
            stopped.await();
            return 0;
        }
    }
}
