package io.nanofleet.sim;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nanofleet-sim}: runs a simulated fleet against any MQTT 5 broker a fleet server uses. */
@Command(name = "nanofleet-sim", mixinStandardHelpOptions = true, version = "nanofleet-sim 0.1.0",
        description = "Run N simulated NanoFleet devices (real agents) in one JVM until Ctrl+C.")
public final class SimulatorMain implements Callable<Integer> {
    @Option(names = "--broker", required = true, description = "MQTT broker the fleet server uses, e.g. tcp://127.0.0.1:1883.")
    String broker;

    @Option(names = "--devices", defaultValue = "20", description = "Number of devices (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--prefix", defaultValue = "sim-", description = "Device id prefix (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--sample-ms", defaultValue = "1000", description = "Sampling period (default: ${DEFAULT-VALUE}).")
    long sampleMs;

    @Option(names = "--telemetry-ms", defaultValue = "10000", description = "Summary uplink period (default: ${DEFAULT-VALUE}).")
    long telemetryMs;

    public static void main(String[] args) {
        io.nanofleet.server.Logging.configure();
        System.exit(new CommandLine(new SimulatorMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Fleet.Spec spec;
        try {
            spec = new Fleet.Spec(broker.replaceFirst("^mqtt://", "tcp://"), devices, prefix, sampleMs, telemetryMs);
        } catch (IllegalArgumentException e) {
            System.err.println("nanofleet-sim: " + e.getMessage());
            return 2;
        }
        Fleet fleet = new Fleet(spec);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            fleet.close();
            stop.countDown();
        }));
        try {
            fleet.start(n -> { });
        } catch (Exception e) {
            System.err.println("nanofleet-sim: cannot connect to " + broker + ": " + e.getMessage()
                    + ". Check the broker address (--broker) and that the broker runs.");
            return 1;
        }
        System.out.println(devices + " simulated devices connected to " + broker + " (Ctrl+C stops)");
        stop.await();
        return 0;
    }
}
