package io.nanofleet.protocols;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.Query;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checked-in binary payloads and their readable twins must agree in both directions. A change to the
 * schema or the codec that alters bytes on the wire fails here. To regenerate after a deliberate,
 * compatible schema change: {@code ./mvnw -pl protocols test -Dtest=GoldenVectorTest -Dgolden.write=true}.
 */
class GoldenVectorTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden");

    static Stream<Arguments> vectors() {
        return Stream.of(
                Arguments.of("device_state", Codecs.STATE, DeviceState.newBuilder()),
                Arguments.of("telemetry_batch", Codecs.TELEMETRY, TelemetryBatch.newBuilder()),
                Arguments.of("event_anomaly", Codecs.EVENT, Event.newBuilder()),
                Arguments.of("event_command_result", Codecs.EVENT, Event.newBuilder()),
                Arguments.of("event_install_progress", Codecs.EVENT, Event.newBuilder()),
                Arguments.of("command", Codecs.COMMAND, Command.newBuilder()),
                Arguments.of("assignment", Codecs.ASSIGNMENT, Assignment.newBuilder()),
                Arguments.of("query", Codecs.QUERY, Query.newBuilder()),
                Arguments.of("answer", Codecs.ANSWER, Answer.newBuilder()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    <T extends Message> void binaryAndTextTwinAgreeBothWays(String name, MessageCodec<T> codec, Message.Builder builder)
            throws Exception {
        String text = Files.readString(GOLDEN.resolve(name + ".txtpb"), StandardCharsets.UTF_8);
        TextFormat.merge(text, builder);
        @SuppressWarnings("unchecked")
        T fromText = (T) builder.build();
        Path bin = GOLDEN.resolve(name + ".bin");
        if (Boolean.getBoolean("golden.write")) {
            Files.write(bin, codec.encode(fromText));
        }
        byte[] golden = Files.readAllBytes(bin);

        // text -> bytes
        assertArrayEquals(golden, codec.encode(fromText), name + ": encoding the text twin changed the wire bytes");
        // bytes -> text
        T decoded = codec.decode(golden);
        assertEquals(fromText, decoded);
        assertEquals(normalise(text), normalise(TextFormat.printer().printToString(decoded)),
                name + ": the readable twin no longer describes the binary");
    }

    private static String normalise(String s) {
        return s.strip().replace("\r\n", "\n");
    }

    static void write(Path p, byte[] bytes) throws IOException {
        Files.write(p, bytes);
    }
}
