package io.nanofleet.sim.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The benchmark's arithmetic and CLI, without running a benchmark (that is not part of verify). */
class BenchPiecesTest {
    @Test
    void percentilesAreNearestRank() {
        Latencies l = new Latencies();
        assertEquals(-1, l.percentile(99));
        for (int i = 100; i >= 1; i--) {
            l.add(i);
        }
        assertEquals(100, l.count());
        assertEquals(50, l.percentile(50));
        assertEquals(99, l.percentile(99));
        assertEquals(100, l.percentile(100));
        for (int i = 0; i < 200_000; i++) {
            l.add(7);
        }
        assertEquals(7, l.percentile(50));
    }

    @Test
    void cliRejectsBadArgumentsWithUsageExitCode() {
        CommandLine cli = new CommandLine(new IngestBench());
        cli.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertEquals(2, cli.execute("--devices", "many"));
        assertEquals(0, new CommandLine(new IngestBench()).setOut(new java.io.PrintWriter(new java.io.StringWriter()))
                .execute("--help"));
    }
}
