package io.nanofleet.ota.json;

import io.nanofleet.ota.crypto.TufKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanonicalJsonTest {
    private static String canon(String json) throws Exception {
        return CanonicalJson.encodeToString(Json.parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sortsKeysDropsWhitespaceEscapesOnlyQuoteAndBackslash() throws Exception {
        assertEquals("{\"a\":\"x\\\"y\\\\z\",\"b\":1,\"c\":[true,null,false,-7]}",
                canon("{ \"c\": [true, null, false, -7], \"b\": 1, \"a\": \"x\\\"y\\\\z\" }"));
        // Control characters and non-ASCII stay raw (securesystemslib does not escape them).
        byte[] out = CanonicalJson.encode(Map.of("k", "line\nbreak é"));
        assertArrayEquals("{\"k\":\"line\nbreak é\"}".getBytes(StandardCharsets.UTF_8), out);
    }

    @Test
    void ordersKeysByCodePointLikePython() {
        // U+1F600 (surrogate pair D83D DE00) sorts after U+FF5E in Python, before it in UTF-16 order.
        String astral = new String(Character.toChars(0x1F600));
        String bmp = "\uFF5E";
        assertEquals("{\"" + bmp + "\":1,\"" + astral + "\":2}", CanonicalJson.encodeToString(Map.of(astral, 2L, bmp, 1L)));
    }

    @Test
    void rejectsFloatsDuplicatesAndTrailingData() {
        assertThrows(JsonFormatException.class, () -> Json.parse("{\"a\":1.5}".getBytes(StandardCharsets.UTF_8)));
        JsonFormatException dup = assertThrows(JsonFormatException.class,
                () -> Json.parse("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(dup.getMessage().contains("Duplicate"), dup.getMessage());
        assertThrows(JsonFormatException.class, () -> Json.parse("{} {}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(JsonFormatException.class, () -> Json.parse("{\"a\":".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void keyIdsMatchTheOnesOtherImplementationsWrote() throws Exception {
        // Known answers: every key id in the interop roots (tuf-on-ci and sigstore), PEM newlines and custom fields included.
        Path data = io.nanofleet.ota.testing.TufStatic.dir();
        int checked = 0;
        for (Path root : List.of(data.resolve("tuf-on-ci-0.11/metadata/1.root.json"), data.resolve("sigstore-root-signing/initial_root.json"))) {
            Map<String, Object> doc = Json.parseObject(Files.readAllBytes(root));
            Map<?, ?> keys = (Map<?, ?>) ((Map<?, ?>) doc.get("signed")).get("keys");
            for (Map.Entry<?, ?> e : keys.entrySet()) {
                assertEquals(e.getKey(), TufKey.keyId((Map<?, ?>) e.getValue()));
                checked++;
            }
        }
        assertEquals(8, checked);
    }
}
