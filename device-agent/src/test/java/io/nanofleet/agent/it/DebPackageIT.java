package io.nanofleet.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The .deb that 'package' built, read back with dpkg-deb (where it exists): control fields, files, unit. */
class DebPackageIT {
    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    @Test
    void packageHasTheControlFieldsFilesAndUnitTheReadmePromises() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")), "dpkg-deb not installed; skipping the package check");
        Path deb;
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            deb = s.filter(p -> p.getFileName().toString().endsWith("_all.deb")).findFirst().orElseThrow();
        }
        String info = run("dpkg-deb", "-I", deb.toString());
        assertTrue(info.contains("Package: nanofleet-agent"), info);
        assertTrue(info.contains("Architecture: all"), info);
        assertTrue(info.contains("Depends: openjdk-17-jre-headless | java17-runtime-headless"), info);
        String files = run("dpkg-deb", "-c", deb.toString());
        for (String f : List.of("./usr/share/nanofleet-agent/nanofleet-agent.jar", "./usr/share/nanofleet-agent/lib/protobuf-java",
                "./lib/systemd/system/nanofleet-agent.service", "./usr/bin/nanofleet-agent", "./etc/nanofleet/agent.conf")) {
            assertTrue(files.contains(f), f + " missing:\n" + files);
        }
        assertTrue(!files.contains("bcprov") && !files.contains("vertx") && !files.contains("hivemq"), "lean device side:\n" + files);
        assertTrue(run("dpkg-deb", "-f", deb.toString(), "Package").strip().equals("nanofleet-agent"));
        Path root = Files.createTempDirectory("deb");
        run("dpkg-deb", "-x", deb.toString(), root.toString());
        String unit = Files.readString(root.resolve("lib/systemd/system/nanofleet-agent.service"));
        assertTrue(unit.contains("User=nanofleet") && unit.contains("StateDirectory=nanofleet") && unit.contains("Restart=on-failure"), unit);
        assertTrue(unit.contains("-Xms8m -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"), "the measured flags: " + unit);
        assertTrue(run("dpkg-deb", "-I", deb.toString(), "conffiles").contains("/etc/nanofleet/agent.conf"));
    }
}
