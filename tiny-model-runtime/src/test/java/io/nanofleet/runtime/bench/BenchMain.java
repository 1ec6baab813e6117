package io.nanofleet.runtime.bench;

import io.nanofleet.runtime.Model;
import io.nanofleet.runtime.ModelFile;
import io.nanofleet.runtime.Quantizer;
import io.nanofleet.runtime.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link InferenceBenchmark} with the GC profiler and writes BENCHMARKS.md: per model, the median
 * latency of every engine over all measurement iterations of all forks, ratios against ORT float measured in
 * the same run, gc.alloc.rate.norm, and the float/int8 model file sizes.
 * Usage: {@code BenchMain [output.md] [forks] [iterations]}.
 */
public final class BenchMain {
    public static final String COMMAND = "./mvnw -q -B -pl tiny-model-runtime -Pbench verify";

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "BENCHMARKS.md");
        int forks = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Options opt = new OptionsBuilder().include(InferenceBenchmark.class.getName() + ".*")
                .forks(forks).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class).jvmArgsAppend("-Xmx512m").build();
        String loadBefore = loadAverage();
        Collection<RunResult> results = new Runner(opt).run();
        String loadAfter = loadAverage();
        // model -> engine -> {median ns, alloc bytes/op}
        Map<String, Map<String, double[]>> table = new TreeMap<>();
        for (RunResult rr : results) {
            String engine = rr.getParams().getBenchmark().substring(rr.getParams().getBenchmark().lastIndexOf('.') + 1);
            String model = rr.getParams().getParam("model");
            List<Double> scores = new ArrayList<>();
            for (BenchmarkResult br : rr.getBenchmarkResults()) {
                for (IterationResult ir : br.getIterationResults()) {
                    scores.add(ir.getPrimaryResult().getScore());
                }
            }
            double alloc = Double.NaN;
            for (Map.Entry<String, Result> e : rr.getSecondaryResults().entrySet()) {
                if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                    alloc = e.getValue().getScore();
                }
            }
            table.computeIfAbsent(model, k -> new LinkedHashMap<>()).put(engine, new double[]{median(scores), alloc});
        }
        String md = render(table, forks, iterations) + "\nLoad average (1/5/15 min) at start: " + loadBefore + "; at end: " + loadAfter
                + ". The machine is shared with other builds, so absolute figures move between runs; compare ratios within one run.\n";
        Files.writeString(out, md);
        System.out.println(md);
    }

    private static String render(Map<String, Map<String, double[]>> table, int forks, int iterations) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# tiny-model-runtime benchmarks\n\n");
        sb.append("Produced by `").append(COMMAND).append("` (JMH, ").append(forks).append(" forks x ").append(iterations)
                .append(" x 1 s measurement after 3 x 1 s warm-up, GC profiler). Batch 1; ONNX Runtime ")
                .append(ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion())
                .append(" Java on one intra-op thread, sequential execution, reused direct input and pinned output tensors. ")
                .append("Latency is the median over all measurement iterations of all forks; ratios are taken within this one run. ")
                .append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version")).append(", ")
                .append(System.getProperty("os.arch")).append(".\n\n");
        sb.append("| model | params | engine | median ns/op | vs ORT float | gc.alloc.rate.norm (B/op) |\n");
        sb.append("| --- | ---: | --- | ---: | ---: | ---: |\n");
        for (Map.Entry<String, Map<String, double[]>> e : table.entrySet()) {
            double ort = e.getValue().getOrDefault("ortFloat", new double[]{Double.NaN})[0];
            int params = InferenceBenchmark.model(e.getKey()).parameterCount();
            for (String engine : List.of("nanofleetInt8", "nanofleetFloat", "ortFloat", "ortQdq")) {
                double[] v = e.getValue().get(engine);
                if (v == null) {
                    continue;
                }
                sb.append(String.format("| %s | %d | %s | %.0f | %.3fx | %.3f |%n", e.getKey(), params, engine, v[0], v[0] / ort, v[1]));
            }
        }
        sb.append("\n`vs ORT float` below 0.25 meets the 4x target. `ortQdq` is ONNX Runtime running this runtime's int8 model ")
                .append("exported as a QDQ graph.\n\n");
        sb.append("## Model file sizes (.nfm)\n\n| model | float bytes | int8 bytes | int8 / float |\n| --- | ---: | ---: | ---: |\n");
        for (String name : table.keySet()) {
            Model m = InferenceBenchmark.model(name);
            Model q = Quantizer.minMax().quantize(m, TestModels.sines(64, m.inputSize(), 2)).model();
            int f = ModelFile.toBytes(m).length, i = ModelFile.toBytes(q).length;
            sb.append(String.format("| %s | %d | %d | %.3f |%n", name, f, i, (double) i / f));
        }
        return sb.toString();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
