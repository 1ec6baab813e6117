package io.nanofleet.cli.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.anomaly.model.DetectorModelFile;
import io.nanofleet.anomaly.model.FleetModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class NanofleetModelTest {
    static final Pattern OVERALL = Pattern.compile("overall protocol=(strict|fleet) int8_f1=([0-9.]+) int8_far=([0-9.]+) "
            + "int8_mar=([0-9.]+) float_f1=([0-9.]+) model_bytes=(\\d+) update_us=([0-9.]+)");

    @TempDir
    Path tmp;
    Path data;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = NanofleetModel.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** A small SKAB-format folder: two experiments with a flow drop at rows [500, 600), and an anomaly-free run. */
    @BeforeEach
    void syntheticSkab() throws IOException {
        data = tmp.resolve("skab");
        Files.createDirectories(data.resolve("valveX"));
        Files.createDirectories(data.resolve("anomaly-free"));
        write(data.resolve("valveX/0.csv"), 700, 1, true);
        write(data.resolve("valveX/1.csv"), 700, 2, true);
        write(data.resolve("anomaly-free/anomaly-free.csv"), 1600, 3, false);
    }

    static void write(Path p, int rows, long seed, boolean fault) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder("datetime;Accelerometer1RMS;Accelerometer2RMS;Current;Pressure;Temperature;"
                + "Thermocouple;Voltage;Volume Flow RateRMS;anomaly;changepoint\n");
        for (int i = 0; i < rows; i++) {
            boolean anomalous = fault && i >= 500 && i < 600;
            sb.append(String.format(Locale.ROOT, "2020-03-09 10:%02d:%02d", i / 60 % 60, i % 60));
            for (int c = 0; c < 8; c++) {
                double x = 10 * (c + 1) + r.nextDouble(-1, 1);
                if (anomalous && c == 7) {
                    x -= 4;
                }
                sb.append(';').append(String.format(Locale.ROOT, "%.5f", x));
            }
            sb.append(';').append(anomalous ? "1.0" : "0.0").append(";0.0\n");
        }
        Files.writeString(p, sb);
    }

    @Test
    void evalStrictPrintsTableAndFixedLastLineAndWritesPredictions() throws IOException {
        Path preds = tmp.resolve("preds");
        Run r = run("eval", "skab", "--data", data.toString(), "--protocol", "strict", "--predictions", preds.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        Matcher m = OVERALL.matcher(lines[lines.length - 1]);
        assertTrue(m.matches(), lines[lines.length - 1]);
        assertEquals("strict", m.group(1));
        assertTrue(Double.parseDouble(m.group(2)) > 0.8, "a 4-sigma flow drop must be found: " + m.group());
        assertTrue(r.out().contains("valveX/0.csv") && r.out().contains("valveX/1.csv"));
        assertTrue(!r.out().contains("anomaly-free.csv"), "anomaly-free must not be scored");
        List<String> p = Files.readAllLines(preds.resolve("valveX/0.csv"));
        assertEquals("datetime;score;anomaly", p.get(0));
        assertEquals(300 + 1, p.size());
        assertTrue(p.get(1).startsWith("2020-03-09 10:06:40;"), p.get(1));
        long flagged = p.stream().skip(1).filter(l -> l.endsWith(";1")).count();
        assertTrue(flagged >= 80 && flagged < 150, "flagged rows " + flagged);
    }

    @Test
    void trainThenEvalFleetWithTheModelFile() throws IOException {
        Path model = tmp.resolve("out/fleet.nfm");
        Run t = run("train", "--data", data.resolve("anomaly-free").toString(), "--out", model.toString(), "--seed", "3");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().startsWith("wrote "), t.out());
        assertTrue(Files.exists(FleetModel.floatTwinPath(model)));
        assertTrue(DetectorModelFile.read(model).model().isQuantized());
        Run e = run("eval", "skab", "--data", data.toString(), "--model", model.toString());
        assertEquals(0, e.code(), e.err());
        Matcher m = OVERALL.matcher(e.out().strip().substring(e.out().strip().lastIndexOf('\n') + 1));
        assertTrue(m.matches(), e.out());
        assertEquals("fleet", m.group(1));
        assertEquals(Files.size(model), Long.parseLong(m.group(6)), 200, "model_bytes is the int8 file with per-device calibration");
        // Same seed, same bytes.
        Path again = tmp.resolve("again.nfm");
        assertEquals(0, run("train", "--data", data.resolve("anomaly-free").toString(), "--out", again.toString(), "--seed", "3").code());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(model), Files.readAllBytes(again)));
    }

    @Test
    void exitCodesAndMessages() throws IOException {
        assertEquals(0, run("--help").code());
        assertEquals(0, run("eval", "skab", "--help").code());
        Run trainHelp = run("train", "--help");
        assertEquals(0, trainHelp.code());
        assertTrue(trainHelp.out().startsWith("Usage: nanofleet-model train [-hV] --data=FILE|DIR --out=FILE "), trainHelp.out());
        assertEquals(2, run().code());
        assertEquals(2, run("eval", "skab").code());
        assertEquals(2, run("eval", "skab", "--data", data.toString(), "--protocol", "loose").code());
        Run strictModel = run("eval", "skab", "--data", data.toString(), "--protocol", "strict", "--model", "x.nfm");
        assertEquals(2, strictModel.code());
        assertTrue(strictModel.err().contains("--model is a fleet base model"), strictModel.err());

        Run missing = run("eval", "skab", "--data", tmp.resolve("nope").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("pass --data pointing at a folder"), missing.err());

        Run noTrainArgs = run("train");
        assertEquals(2, noTrainArgs.code());
        assertTrue(noTrainArgs.err().contains("Missing required options: '--data=FILE|DIR', '--out=FILE'"), noTrainArgs.err());
        Run noOut = run("train", "--data", data.resolve("anomaly-free").toString());
        assertEquals(2, noOut.code());
        assertTrue(noOut.err().contains("Missing required option: '--out=FILE'"), noOut.err());

        Run anomalous = run("train", "--data", data.resolve("valveX/0.csv").toString(), "--out", tmp.resolve("m.nfm").toString());
        assertEquals(1, anomalous.code());
        assertTrue(anomalous.err().contains("labelled anomalous"), anomalous.err());
        assertTrue(!Files.exists(tmp.resolve("m.nfm")));

        Path corrupt = tmp.resolve("corrupt.nfm");
        Files.write(corrupt, new byte[]{'N', 'F', 'T', 'M', 1, 0});
        Run bad = run("eval", "skab", "--data", data.toString(), "--model", corrupt.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().startsWith("error: "), bad.err());

        Files.writeString(data.resolve("valveX/2.csv"), "datetime;a;anomaly\nt;1;0\n");
        Run shortFile = run("eval", "skab", "--data", data.toString(), "--protocol", "strict");
        assertEquals(1, shortFile.code());
        assertTrue(shortFile.err().contains("valveX/2.csv has 1 rows"), shortFile.err());
    }

    /** Stands in for another model's trainer ({@code train <model>}); not a real command. */
    @Command(name = "probe")
    static final class ProbeTrainer implements Callable<Integer> {
        @Option(names = "--data")
        Path data;
        Path ranWith;

        @Override
        public Integer call() {
            ranWith = data;
            return 0;
        }
    }

    @Test
    void trainTakesSubcommandsAndStillRunsItselfWithoutOne() {
        CommandLine cl = NanofleetModel.commandLine();
        ProbeTrainer probe = new ProbeTrainer();
        cl.getSubcommands().get("train").addSubcommand(probe);
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));

        assertEquals(0, cl.execute("train", "probe", "--data", "x.csv"), err.toString());
        assertEquals(Path.of("x.csv"), probe.ranWith, "the subcommand ran, train's own --data/--out were not demanded");

        Path model = tmp.resolve("fleet.nfm");
        assertEquals(0, cl.execute("train", "--data", data.resolve("anomaly-free").toString(), "--out", model.toString()), err.toString());
        assertTrue(Files.exists(model), "train without a subcommand still trains the anomaly model");

        assertEquals(2, cl.execute("train"));
        assertTrue(err.toString().contains("Missing required options"), err.toString());
    }
}
