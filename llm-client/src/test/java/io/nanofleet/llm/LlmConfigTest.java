package io.nanofleet.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlmConfigTest {
    private static final String OPENAI_KEY = "sk-proj-AAAAbbbbCCCCddddEEEEffff0123456789";
    private static final String OPENROUTER_KEY = "sk-or-v1-99998888777766665555444433332222";
    private static final Function<String, String> ENV = Map.of("OPENAI_API_KEY", OPENAI_KEY,
            "OPENROUTER_API_KEY", OPENROUTER_KEY, "EMPTY_KEY", " ")::get;

    /** The YAML example of llm-client/README.md, read from there so the two cannot drift apart. */
    static final String EXAMPLE = readmeYaml();

    private static String readmeYaml() {
        try {
            String readme = Files.readString(Path.of("README.md"));
            int start = readme.indexOf("```yaml\n") + "```yaml\n".length();
            return readme.substring(start, readme.indexOf("```", start));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static LlmConfigException problems(String yaml) {
        return assertThrows(LlmConfigException.class, () -> LlmConfig.parse(yaml, "llm.yaml", ENV));
    }

    private static void assertProblem(LlmConfigException e, String expected) {
        assertTrue(e.problems().stream().anyMatch(p -> p.contains(expected)), "no problem contains '" + expected + "' in " + e.problems());
    }

    @Test
    void readsTheReadmeExample() throws Exception {
        LlmConfig c = LlmConfig.parse(EXAMPLE, "llm.yaml", ENV);
        assertEquals(3, c.providers().size());
        ProviderConfig openai = c.providers().get(0);
        assertEquals("openai", openai.name());
        assertEquals("https://api.openai.com/v1/chat/completions", openai.chatCompletionsUri().toString());
        assertEquals("gpt-4o-mini", openai.model());
        assertTrue(openai.apiKey().isPresent());
        assertEquals(OPENAI_KEY, openai.apiKey().value());
        assertEquals(Optional.of("OPENAI_API_KEY"), openai.apiKeyEnv());
        assertEquals(Duration.ofSeconds(20), openai.timeout());
        assertEquals(2, openai.maxRetries());
        assertEquals(Optional.of(new BigDecimal("0.00015")), openai.pricePer1kInput());
        assertEquals(Optional.of(new BigDecimal("0.0006")), openai.pricePer1kOutput());

        ProviderConfig openrouter = c.providers().get(1);
        assertEquals(ProviderConfig.DEFAULT_TIMEOUT, openrouter.timeout());
        assertEquals(ProviderConfig.DEFAULT_MAX_RETRIES, openrouter.maxRetries());
        assertEquals(OPENROUTER_KEY, openrouter.apiKey().value());

        ProviderConfig local = c.providers().get(2);
        assertFalse(local.apiKey().isPresent());
        assertEquals("http://127.0.0.1:11434/v1", local.baseUrl().toString());
        assertEquals(Optional.empty(), local.pricePer1kInput());
        assertEquals(0, local.maxRetries());

        assertEquals(Duration.ofSeconds(30), c.cooldown());
        assertEquals(3, c.failuresBeforeCooldown());
        assertEquals(StreamBuffering.UNTIL_LAST_ATTEMPT, c.streamBuffering());
    }

    @Test
    void defaultsApplyToWhatIsLeftOut() throws Exception {
        LlmConfig c = LlmConfig.parse("providers:\n  - name: a\n    base-url: http://127.0.0.1:8080/v1\n    model: m\n", "x", ENV);
        assertEquals(LlmConfig.DEFAULT_COOLDOWN, c.cooldown());
        assertEquals(LlmConfig.DEFAULT_FAILURES_BEFORE_COOLDOWN, c.failuresBeforeCooldown());
        assertEquals(StreamBuffering.UNTIL_LAST_ATTEMPT, c.streamBuffering());
        assertFalse(c.providers().get(0).apiKey().isPresent());
    }

    @Test
    void costComesFromThePrices() throws Exception {
        ProviderConfig openai = LlmConfig.parse(EXAMPLE, "llm.yaml", ENV).providers().get(0);
        // 2000 * 0.00015 / 1000 + 500 * 0.0006 / 1000
        assertEquals(Optional.of(new BigDecimal("0.0006")), openai.cost(new Usage(2000, 500, 2500)));
        assertEquals(Optional.empty(), LlmConfig.parse(EXAMPLE, "llm.yaml", ENV).providers().get(2).cost(new Usage(1, 1, 2)));
    }

    @Test
    void keysAppearNowhereInToString() throws Exception {
        String s = LlmConfig.parse(EXAMPLE, "llm.yaml", ENV).toString();
        assertFalse(s.contains(OPENAI_KEY), s);
        assertFalse(s.contains(OPENROUTER_KEY), s);
        assertTrue(s.contains("key=from $OPENAI_API_KEY"), s);
        assertTrue(s.contains("key=none"), s);
    }

    @Test
    void aMissingVariableIsNamed() {
        LlmConfigException e = problems(EXAMPLE.replace("OPENROUTER_API_KEY", "OPENROUTER_KEY_TYPO"));
        assertEquals(List.of("line 13: provider 2 'openrouter': api-key-env names environment variable OPENROUTER_KEY_TYPO, which is not set"),
                e.problems());
        assertTrue(e.getMessage().startsWith("llm.yaml: 1 problem(s):"), e.getMessage());
    }

    @Test
    void anEmptyVariableIsAProblemToo() {
        assertProblem(problems(EXAMPLE.replace("OPENAI_API_KEY", "EMPTY_KEY")), "line 5: provider 1 'openai': api-key-env names environment variable EMPTY_KEY, which is empty");
    }

    @Test
    void aKeyWrittenIntoTheFileIsRefusedAndNotRepeated() {
        LlmConfigException e = problems(EXAMPLE.replace("    api-key-env: OPENAI_API_KEY", "    api-key: " + OPENAI_KEY));
        assertProblem(e, "line 5: provider 1 'openai': unknown key 'api-key': keys never go in this file");
        assertProblem(e, "api-key-env");
        assertFalse(e.getMessage().contains(OPENAI_KEY), e.getMessage());
        assertFalse(e.getMessage().contains("AAAAbbbb"), e.getMessage());
    }

    @Test
    void aKeyPastedIntoApiKeyEnvIsRefusedAndNotRepeated() {
        LlmConfigException e = problems(EXAMPLE.replace("api-key-env: OPENAI_API_KEY", "api-key-env: " + OPENAI_KEY));
        assertEquals(List.of("line 5: provider 1 'openai': api-key-env must be the name of an environment variable (letters, digits, '_'), not the key itself"),
                e.problems());
        assertFalse(e.getMessage().contains("AAAAbbbb"), e.getMessage());
    }

    @Test
    void credentialsInTheUrlAreRefusedAndNotRepeated() {
        LlmConfigException e = problems(EXAMPLE.replace("https://api.openai.com/v1", "https://user:hunter2@api.openai.com/v1"));
        assertProblem(e, "line 3: provider 1 'openai': base-url must not carry credentials");
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void unknownKeysAreNamedWithTheirLine() {
        LlmConfigException e = problems(EXAMPLE.replace("    timeout-ms: 20000", "    timeout: 20000")
                .replace("    base-url: https://openrouter.ai/api/v1", "    base_url: https://openrouter.ai/api/v1")
                .replace("cooldown-ms: 30000", "cooldown-ms: 30000\nretries: 4"));
        assertProblem(e, "line 6: provider 1 'openai': unknown key 'timeout' (known: api-key-env, base-url,");
        assertProblem(e, "line 11: provider 2 'openrouter': unknown key 'base_url' (did you mean base-url?)");
        assertProblem(e, "line 10: provider 2 'openrouter': base-url is missing");
        assertProblem(e, "line 22: unknown key 'retries'");
    }

    @Test
    void wrongTypesAreNamedWithTheirLineButNotTheirValue() {
        LlmConfigException e = problems(EXAMPLE.replace("timeout-ms: 20000", "timeout-ms: \"20000\"")
                .replace("max-retries: 2", "max-retries: yes please")
                .replace("price-per-1k-output: 0.00005", "price-per-1k-output: [1, 2]")
                .replace("model: qwen2.5:0.5b", "model: 7")
                .replace("failures-before-cooldown: 3", "failures-before-cooldown: 2.5"));
        assertProblem(e, "line 6: provider 1 'openai': timeout-ms must be a whole number, found text");
        assertProblem(e, "line 7: provider 1 'openai': max-retries must be a whole number, found text");
        assertProblem(e, "line 15: provider 2 'openrouter': price-per-1k-output must be a number, found a list");
        assertProblem(e, "line 18: provider 3 'local': model must be text, found a whole number");
        assertProblem(e, "line 22: failures-before-cooldown must be a whole number, found a decimal number");
        assertFalse(e.getMessage().contains("yes please"), e.getMessage());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        LlmConfigException e = problems(String.join("\n",
                "providers:",
                "  - name: openai",
                "    base-url: ftp://api.openai.com/v1",
                "    model: gpt-4o-mini",
                "    max-retries: 11",
                "    timeout-ms: 0",
                "    price-per-1k-input: 0.1",
                "  - name: openai",
                "    base-url: https://example.com/v1?x=1",
                "  - just a string",
                "  - name: bad name!",
                "    base-url: http://127.0.0.1/v1",
                "    model: m",
                "cooldown-ms: -1",
                "stream-buffering: sometimes",
                ""));
        assertEquals(List.of(
                "line 3: provider 1 'openai': base-url must start with http:// or https://",
                "line 5: provider 1 'openai': max-retries must be from 0 to 10",
                "line 6: provider 1 'openai': timeout-ms must be from 1 to 3600000",
                "line 7: provider 1 'openai': price-per-1k-input needs price-per-1k-output too (both or neither)",
                "line 8: provider 2 'openai': name is already used by provider 1",
                "line 8: provider 2 'openai': model is missing",
                "line 9: provider 2 'openai': base-url must not have a query or fragment (/chat/completions is appended to it)",
                "line 10: provider 3 must be a mapping (name:, base-url:, model: ...), found text",
                "line 11: provider 4: name must be a letter or digit followed by at most 63 letters, digits, '.', '_' or '-'",
                "line 14: cooldown-ms must be from 0 to 86400000",
                "line 15: stream-buffering must be until-last-attempt, always or never"),
                e.problems());
    }

    @Test
    void aKeySetTwiceIsAProblem() {
        assertProblem(problems(EXAMPLE.replace("    max-retries: 2", "    max-retries: 2\n    model: gpt-4o")),
                "line 8: 'model' is set twice (first on line 4)");
    }

    @Test
    void theShapeOfTheFileIsChecked() {
        assertEquals(List.of("the file is empty; it needs a providers: list"), problems("# nothing yet\n").problems());
        assertEquals(List.of("line 1: the file must be a mapping with a providers: list, found a list"), problems("- a\n- b\n").problems());
        assertEquals(List.of("line 1: providers is missing"), problems("cooldown-ms: 5\n").problems());
        assertEquals(List.of("line 1: providers must be a list, found a mapping"), problems("providers:\n  name: a\n").problems());
        assertEquals(List.of("line 1: providers must list at least one provider"), problems("providers: []\n").problems());
    }

    @Test
    void invalidYamlNamesTheLineButDoesNotQuoteIt() {
        LlmConfigException e = problems(String.join("\n",
                "providers:",
                "  - name: openai",
                "    model: gpt: " + OPENAI_KEY,
                ""));
        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith("line 3: not valid YAML: "), e.problems().toString());
        assertFalse(e.getMessage().contains("AAAAbbbb"), e.getMessage());
    }

    @Test
    void loadsAFileWithTheProcessEnvironmentOrAGivenOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("llm.yaml");
        Files.writeString(file, "providers:\n  - name: local\n    base-url: http://127.0.0.1:8080/v1\n    model: m\n");
        assertEquals("local", LlmConfig.load(file).providers().get(0).name());
        Files.writeString(file, EXAMPLE);
        assertEquals(3, LlmConfig.load(file, ENV).providers().size());
        LlmConfigException e = assertThrows(LlmConfigException.class, () -> LlmConfig.load(file, name -> null));
        assertTrue(e.getMessage().startsWith(file + ": 2 problem(s):"), e.getMessage());
    }
}
