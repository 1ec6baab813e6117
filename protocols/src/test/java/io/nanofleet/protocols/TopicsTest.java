package io.nanofleet.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

    @ParameterizedTest
    @EnumSource(Channel.class)
    void buildAndParseEveryChannel(Channel channel) {
        String topic = Topics.topic("pump-7", channel);
        assertEquals("nf/v1/d/pump-7/" + channel.segment(), topic);
        assertEquals(new DeviceAddress("pump-7", channel), Topics.parse(topic));
        String path = CoapPaths.path("pump-7", channel);
        assertEquals("/v1/d/pump-7/" + channel.segment(), path);
        assertEquals(new DeviceAddress("pump-7", channel), CoapPaths.parse(List.of(path.substring(1).split("/"))));
    }

    @Test
    void namedBuildersMatchTheArchitectureTable() {
        assertEquals("nf/v1/d/a/state", Topics.state("a"));
        assertEquals("nf/v1/d/a/telemetry", Topics.telemetry("a"));
        assertEquals("nf/v1/d/a/events", Topics.events("a"));
        assertEquals("nf/v1/d/a/cmd", Topics.cmd("a"));
        assertEquals("nf/v1/d/a/ota", Topics.ota("a"));
        assertEquals("nf/v1/d/a/ask", Topics.ask("a"));
        assertEquals("nf/v1/d/a/#", Topics.deviceSubtree("a"));
        assertEquals("$share/nanofleet/nf/v1/d/+/telemetry", Topics.shared(Channel.TELEMETRY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "+", "#", "a+", "a#", "..", ".hidden", "../x", "$SYS", "dev 1", "dev\u0000", "dev\n",
            "\u00e9t\u00e9"})
    void buildersRejectBadDeviceIds(String id) {
        assertThrows(DeviceId.InvalidDeviceIdException.class, () -> Topics.telemetry(id));
        assertThrows(DeviceId.InvalidDeviceIdException.class, () -> CoapPaths.path(id, Channel.STATE));
    }

    @Test
    void deviceIdLengthLimit() {
        assertTrue(DeviceId.isValid("x".repeat(DeviceId.MAX_LENGTH)));
        var e = assertThrows(DeviceId.InvalidDeviceIdException.class, () -> DeviceId.require("x".repeat(DeviceId.MAX_LENGTH + 1)));
        assertTrue(e.getMessage().contains("at most 64"), e.getMessage());
        assertTrue(DeviceId.isValid("pi-01.plant_a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "nf/v1/d/+/state",            // wildcard
        "nf/v1/d/#",                  // wildcard
        "nf/v1/d/a/b/state",          // extra level: would escape the one-level device id
        "nf/v1/d/../state",           // traversal
        "nf/v1/d//state",             // empty id
        "nf/v1/d/a/unknown",          // not a channel
        "nf/v1/d/a",                  // no channel
        "nf/v1/d/a/state/",           // trailing level
        "nf/v2/d/a/state",            // other version
        "$SYS/broker/load",           // broker topics
        "other/a/state",
        ""})
    void parserRejectsAnythingNotExactlyOurs(String topic) {
        assertThrows(InvalidAddressException.class, () -> Topics.parse(topic));
    }

    @Test
    void parserRejectsOverlongTopicsBeforeLooking() {
        var e = assertThrows(InvalidAddressException.class, () -> Topics.parse("nf/v1/d/" + "x".repeat(10_000) + "/state"));
        assertTrue(e.getMessage().contains("longer than any"), e.getMessage());
        assertThrows(InvalidAddressException.class, () -> Topics.parse(null));
    }

    @Test
    void coapParserRejectsBadPaths() {
        assertThrows(InvalidAddressException.class, () -> CoapPaths.parse(List.of("v1", "d", "..", "state")));
        assertThrows(InvalidAddressException.class, () -> CoapPaths.parse(List.of("v1", "d", "a")));
        assertThrows(InvalidAddressException.class, () -> CoapPaths.parse(List.of("v2", "d", "a", "state")));
        assertThrows(InvalidAddressException.class, () -> CoapPaths.parse(List.of("v1", "d", "a", "nope")));
        assertThrows(InvalidAddressException.class, () -> CoapPaths.parse(null));
        assertEquals("/v1/targets/models/skab-ae-4.nfm", CoapPaths.target("models/skab-ae-4.nfm"));
        assertThrows(InvalidAddressException.class, () -> CoapPaths.target("models/../../etc/passwd"));
        assertThrows(InvalidAddressException.class, () -> CoapPaths.target(""));
    }
}
