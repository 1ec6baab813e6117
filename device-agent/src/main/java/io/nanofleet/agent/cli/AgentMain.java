package io.nanofleet.agent.cli;

import io.nanofleet.protocols.DaemonThreads;
import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.config.AgentConfig;
import io.nanofleet.agent.config.ConfigException;
import io.nanofleet.agent.config.Settings;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.enroll.Enroller;
import io.nanofleet.agent.enroll.EnrollmentException;
import io.nanofleet.agent.enroll.Pem;
import io.nanofleet.protocols.DeviceId;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nanofleet-agent run | enroll | status | ask}. Exit codes: 0 ok, 1 failure, 2 usage. */
@Command(name = "nanofleet-agent", mixinStandardHelpOptions = true, version = "nanofleet-agent " + DeviceAgent.VERSION,
        description = "The NanoFleet device agent.",
        subcommands = {AgentMain.Run.class, AgentMain.Enroll.class, AgentMain.Status.class, AskCommand.class})
public final class AgentMain implements Callable<Integer> {
    /** Exit code of the {@code restart} command: a failure for systemd, whose Restart=on-failure starts us again. */
    public static final int RESTART_EXIT = 75;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getenv().getOrDefault("NANOFLEET_LOG_LEVEL", "warn").toLowerCase(java.util.Locale.ROOT));
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return new CommandLine(new AgentMain()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            // Anything not handled with its own message: one line, no stack trace, exit 1.
            cmd.getErr().println("nanofleet-agent " + cmd.getCommandName() + ": " + e
                    + " (NANOFLEET_LOG_LEVEL=debug shows more in the journal)");
            return 1;
        }).execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    static AgentConfig loadConfig(Path file, PrintWriter err) {
        try {
            return AgentConfig.load(file);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return null;
        } catch (java.io.IOException e) {
            err.println("cannot read " + file + ": " + e.getMessage() + " (pass --config with the agent's configuration file)");
            return null;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the agent until SIGTERM.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", required = true, description = "configuration file (key = value)")
        Path config;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            AgentConfig cfg = loadConfig(config, err);
            if (cfg == null) {
                return 1;
            }
            Credentials creds = new Credentials(cfg.path(Settings.STATE_DIR));
            int[] exit = {0};
            CountDownLatch stopped = new CountDownLatch(1);
            DeviceAgent agent;
            try {
                agent = AgentFactory.build(cfg, creds, () -> {
                    exit[0] = RESTART_EXIT;
                    stopped.countDown();
                });
            } catch (ConfigException e) {
                err.println(e.getMessage());
                return 1;
            }
            try {
                agent.start();
            } catch (java.io.UncheckedIOException e) {
                // e.g. another agent already listens on the operator socket
                err.println("cannot start: " + e.getMessage());
                agent.close();
                return 1;
            }
            StatusFile status = new StatusFile(cfg.path(Settings.STATE_DIR));
            // SIGTERM (systemd stop) runs this hook: the queue is flushed to disk before the JVM exits.
            Thread hook = new Thread(() -> {
                agent.close();
                status.write(agent, "stopped");
            }, "agent-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            status.write(agent, "running");
            DaemonThreads.start("agent-status", () -> {
                while (stopped.getCount() > 0) {
                    try {
                        Thread.sleep(5000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    status.write(agent, "running");
                }
            });
            stopped.await();
            return exit[0];
        }
    }

    @Command(name = "enroll", mixinStandardHelpOptions = true,
            description = "Generate this device's key pair, get its certificate from the fleet server and store it.")
    static final class Enroll implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--server", required = true, description = "fleet server, e.g. https://fleet.example:8443")
        String server;

        @Option(names = "--token", required = true, description = "one-time enrollment token from the operator")
        String token;

        @Option(names = "--config", description = "configuration file to create or update (device.id, mqtt.url, coap.url)")
        Path config;

        @Option(names = "--device-id", description = "device id (default: device.id from --config)")
        String deviceId;

        @Option(names = "--state-dir", description = "where keys go (default: state.dir from --config, else /var/lib/nanofleet)")
        Path stateDir;

        @Option(names = "--server-ca", description = "PEM CA that signed the server's HTTPS/MQTT certificate, if not a public CA")
        Path serverCa;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            AgentConfig cfg = AgentConfig.defaults();
            if (config != null && Files.exists(config)) {
                cfg = loadConfig(config, err);
                if (cfg == null) {
                    return 1;
                }
            }
            String id = deviceId != null ? deviceId : cfg.string(Settings.DEVICE_ID);
            String problem = DeviceId.problem(id);
            if (id.isEmpty() || problem != null) {
                err.println("device id " + (id.isEmpty() ? "missing" : problem) + ": pass --device-id or set device.id in --config");
                return 2;
            }
            Path dir = stateDir != null ? stateDir : cfg.path(Settings.STATE_DIR);
            Credentials creds = new Credentials(dir);
            SSLContext trust = null;
            if (serverCa != null) {
                String pem = Files.readString(serverCa, StandardCharsets.UTF_8);
                trust = trusting(Pem.certificates(pem));
                creds.writePrivate(Credentials.SERVER_CA, pem);
            }
            Enroller.Result r;
            try {
                r = new Enroller(trust).enroll(server, token, id, cfg.string(Settings.HARDWARE_ID), DeviceAgent.VERSION, creds);
            } catch (EnrollmentException e) {
                err.println("enrollment failed: " + e.getMessage());
                return 1;
            }
            if (config != null) {
                Map<String, String> set = new LinkedHashMap<>();
                set.put(Settings.DEVICE_ID, id);
                set.put(Settings.STATE_DIR, dir.toString());
                set.put(Settings.OTA_SERVER, server.replaceAll("/+$", ""));
                if (!r.mqttUrl().isEmpty()) {
                    set.put(Settings.MQTT_URL, r.mqttUrl());
                }
                if (!r.coapUrl().isEmpty()) {
                    set.put(Settings.COAP_URL, r.coapUrl());
                }
                ConfigWriter.update(config, set);
            }
            out.println("enrolled " + id + "; credentials in " + dir + (config != null ? ", settings in " + config : ""));
            return 0;
        }

        private static SSLContext trusting(List<X509Certificate> certs) throws Exception {
            java.security.KeyStore ts = java.security.KeyStore.getInstance("PKCS12");
            ts.load(null, new char[0]);
            for (int i = 0; i < certs.size(); i++) {
                ts.setCertificateEntry("ca" + i, certs.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show enrollment and the running agent's last reported counters.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", required = true, description = "configuration file")
        Path config;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            AgentConfig cfg = loadConfig(config, err);
            if (cfg == null) {
                return 1;
            }
            Path dir = cfg.path(Settings.STATE_DIR);
            Credentials creds = new Credentials(dir);
            List<String> lines = new ArrayList<>();
            lines.add("device.id: " + cfg.string(Settings.DEVICE_ID));
            if (creds.enrolled()) {
                X509Certificate c = creds.certificate();
                lines.add("enrolled: yes, certificate " + c.getSubjectX500Principal().getName() + " valid until " + c.getNotAfter().toInstant());
            } else {
                lines.add("enrolled: no (run 'nanofleet-agent enroll --server URL --token TOKEN --config " + config + "')");
            }
            lines.add("command key: " + (creds.has(Credentials.COMMAND_KEY) ? "stored" : "missing"));
            lines.addAll(new StatusFile(dir).readLines());
            lines.forEach(out::println);
            return creds.enrolled() ? 0 : 1;
        }
    }
}
