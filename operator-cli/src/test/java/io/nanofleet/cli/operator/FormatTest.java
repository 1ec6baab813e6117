package io.nanofleet.cli.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Tables, times, durations, sizes, bars, key=value arguments and server URLs: how output reads and input parses. */
class FormatTest {
    @Test
    void tableAlignsColumnsTwoSpacesApartWithoutTrailingBlanks() {
        Table t = new Table("device", "status", "group").row("pump-7", "online", "plant-a").row("sim-0001", "offline", null)
                .row("x", "multi\nline", "");
        assertEquals(List.of("DEVICE    STATUS      GROUP", "pump-7    online      plant-a", "sim-0001  offline     -",
                "x         multi line  -"), t.lines());
        assertThrows(IllegalArgumentException.class, () -> t.row("too", "few"));
    }

    @Test
    void pairsPadKeysToOneWidth() {
        StringWriter s = new StringWriter();
        Table.pairs(new PrintWriter(s), "token", "abc", "device", "pump-7", "expires", null);
        assertEquals("token    abc\ndevice   pump-7\nexpires  -\n", s.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void timesAgesDurationsAndSizes() {
        assertEquals("2025-01-02 03:04:05", Format.time(1735787045000L, ZoneOffset.UTC));
        assertEquals("", Format.time(0, ZoneOffset.UTC));
        assertEquals("03:04:05", Format.clock(1735787045000L, ZoneOffset.UTC));
        assertEquals("never", Format.ago(0, 1000));
        assertEquals("5s ago", Format.ago(10_000, 15_000));
        assertEquals("2m ago", Format.ago(0 + 1, 1 + 150_000));
        assertEquals("3h ago", Format.ago(1, 1 + 3 * 3_600_000L + 5));
        assertEquals("2d ago", Format.ago(1, 1 + 2 * 86_400_000L));
        assertEquals("850ms", Format.duration(Duration.ofMillis(850)));
        assertEquals("30s", Format.duration(Duration.ofSeconds(30)));
        assertEquals("1m30s", Format.duration(Duration.ofSeconds(90)));
        assertEquals("2h", Format.duration(Duration.ofHours(2)));
        assertEquals("1h5m", Format.duration(Duration.ofMinutes(65)));
        assertEquals("1d2h", Format.duration(Duration.ofHours(26)));
        assertEquals("512 B", Format.bytes(512));
        assertEquals("1.5 KiB", Format.bytes(1536));
        assertEquals("64.0 MiB", Format.bytes(64L << 20));
        assertEquals("[##########..........]", Format.bar(0.5, 20));
        assertEquals("[....]", Format.bar(-1, 4));
        assertEquals("[####]", Format.bar(7, 4));
    }

    @Test
    void durationsParseAsOperatorsTypeThem() {
        assertEquals(Duration.ofSeconds(30), DurationConverter.parse("30s"));
        assertEquals(Duration.ofSeconds(45), DurationConverter.parse("45"));
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofMinutes(90), DurationConverter.parse("1h30m"));
        assertEquals(Duration.ofDays(2), DurationConverter.parse("2D"));
        for (String bad : List.of("", "ten", "10x", "1h 30m", "-5s", "s")) {
            CommandLine.TypeConversionException e = assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse(bad));
            assertTrue(e.getMessage().contains("use e.g. 30s"), e.getMessage());
        }
    }

    @CommandLine.Command(name = "dummy")
    static final class Dummy {
    }

    @Test
    void keyValuesNeedAKeyAndAreGivenOnce() {
        CommandLine cmd = new CommandLine(new Dummy());
        assertEquals(java.util.Map.of("a", "1", "b", "", "c", "x=y"), KeyValues.parse(List.of("a=1", "b=", "c=x=y"), cmd, "arg"));
        assertThrows(CommandLine.ParameterException.class, () -> KeyValues.parse(List.of("novalue"), cmd, "arg"));
        assertThrows(CommandLine.ParameterException.class, () -> KeyValues.parse(List.of("=v"), cmd, "arg"));
        CommandLine.ParameterException twice = assertThrows(CommandLine.ParameterException.class,
                () -> KeyValues.parse(List.of("a=1", "a=2"), cmd, "arg"));
        assertTrue(twice.getMessage().contains("'a' is given twice"));
    }

    @Test
    void serverUrlsAreNormalisedAndBadOnesRefused() {
        CommandLine cmd = new CommandLine(new Dummy());
        assertEquals("http://127.0.0.1:8080", ServerUrl.parse("http://127.0.0.1:8080/", cmd).toString());
        assertEquals("http://fleet.example:8080", ServerUrl.parse("HTTP://Fleet.Example:8080/api/v1/", cmd).toString());
        assertEquals("https://fleet.example/nf", ServerUrl.parse("https://fleet.example/nf", cmd).toString());
        for (String bad : List.of("127.0.0.1:8080", "ftp://h", "http://", "http://h/?x=1", "http://u:p@h", "not a url")) {
            CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class, () -> ServerUrl.parse(bad, cmd), bad);
            assertTrue(e.getMessage().contains("e.g. http://127.0.0.1:8080"), e.getMessage());
        }
    }

    @Test
    void progressBarLineAndItOnlyDrawsOnATerminal() {
        assertEquals("uploading m.nfm [############............]  50%  1.0 KiB of 2.0 KiB", ProgressBar.line("m.nfm", 1024, 2048));
        StringWriter s = new StringWriter();
        long[] t = {0};
        ProgressBar bar = new ProgressBar(new PrintWriter(s), "m.nfm", 2048, () -> t[0]);
        bar.accept(100);
        bar.accept(200); // within 100 ms of the last draw: skipped
        t[0] += 200_000_000L;
        bar.accept(1024);
        bar.accept(2048); // the end is always drawn, and ends the line
        bar.finish();
        String out = s.toString();
        assertEquals(3, out.split("\r", -1).length - 1, out);
        assertTrue(out.endsWith("100%  2.0 KiB of 2.0 KiB" + System.lineSeparator()), out);
        assertEquals(ProgressBar.NONE, ProgressBar.forUpload(envWithStderrTerminal(false), "m", 1));
        assertTrue(ProgressBar.forUpload(envWithStderrTerminal(true), "m", 1) instanceof ProgressBar);
    }

    static Env envWithStderrTerminal(boolean tty) {
        return new Env(java.util.Map.of(), java.nio.file.Path.of("/nonexistent"), new java.io.BufferedReader(new java.io.StringReader("")),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false, false, tty, java.time.Clock.systemUTC(),
                ZoneOffset.UTC, d -> { }, () -> TestEnv.HTTP, p -> null);
    }

    @Test
    void jsonTextOfMissingNullAndNestedFields() throws Exception {
        JsonNode n = Json.MAPPER.readTree("{\"a\":\"x\",\"b\":null,\"c\":3,\"d\":[1]}");
        assertEquals("x", Json.text(n, "a"));
        assertEquals("", Json.text(n, "b"));
        assertEquals("", Json.text(n, "zz"));
        assertEquals("3", Json.text(n, "c"));
        assertEquals("[1]", Json.text(n, "d"));
    }
}
