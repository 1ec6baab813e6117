package io.nanofleet.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AgentConfigTest {
    @Test
    void readsValuesCommentsAndDefaults() throws Exception {
        AgentConfig c = AgentConfig.parse("""
                # a comment
                device.id = pump-7   # trailing comment
                sensor.type = CSV
                sensor.csv.file = /data/x.csv
                queue.max-bytes = 1_048_576
                """, "test");
        assertEquals("pump-7", c.string(Settings.DEVICE_ID));
        assertEquals("csv", c.string(Settings.SENSOR));
        assertEquals(1_048_576, c.longValue(Settings.QUEUE_MAX_BYTES));
        assertEquals(60_000, c.longValue(Settings.TELEMETRY_INTERVAL));
        assertTrue(c.flag(Settings.DETECTOR));
    }

    @Test
    void reportsEveryBadValueWithItsKeyLineAndWhatIsAllowed() {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.parse("""
                sensor.type = thermometer
                telemetry.interval-ms = fast
                sensor.sample-interval-ms = 0
                mqtt.url = not a url
                queue.fsync = sometimes
                detector.enabled = yes
                telemetry.intervall-ms = 5
                justtext
                device.id = a
                device.id = b
                """, "agent.conf"));
        var p = e.problems();
        assertEquals(9, p.size(), String.join("\n", p));
        assertTrue(p.get(0).startsWith("line 1: sensor.type is 'thermometer'; allowed: one of simulated, csv, sysfs, modbus"), p.get(0));
        assertTrue(p.get(1).contains("telemetry.interval-ms is 'fast', not an integer; allowed: an integer from 100"), p.get(1));
        assertTrue(p.get(2).contains("sensor.sample-interval-ms is 0; allowed: an integer from 1 to 3600000"), p.get(2));
        assertTrue(p.get(3).contains("mqtt.url is 'not a url', not a URL"), p.get(3));
        assertTrue(p.get(4).contains("queue.fsync is 'sometimes'; allowed: one of always, never"), p.get(4));
        assertTrue(p.get(5).contains("detector.enabled is 'yes'; allowed: one of true, false"), p.get(5));
        assertTrue(p.get(6).contains("unknown key 'telemetry.intervall-ms'; did you mean 'telemetry.interval-ms'?"), p.get(6));
        assertTrue(p.get(7).contains("line 8: expected 'key = value'"), p.get(7));
        assertTrue(p.get(8).contains("line 10: device.id is set twice"), p.get(8));
        assertTrue(e.getMessage().startsWith("agent.conf: 9 problem(s)"), e.getMessage());
    }

    @Test
    void crossChecksNameBothKeys() {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.parse("""
                sensor.type = modbus
                reconnect.min-ms = 5000
                reconnect.max-ms = 1000
                """, "x"));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("reconnect.max-ms (1000) must be >= reconnect.min-ms (5000)"), all);
        assertTrue(all.contains("sensor.modbus.host is required when sensor.type = modbus"), all);
        assertTrue(all.contains("sensor.modbus.registers is required"), all);
    }

    @Test
    void withChecksLikeTheFile() throws Exception {
        AgentConfig c = AgentConfig.defaults().with(Settings.TELEMETRY_INTERVAL, "2000");
        assertEquals(2000, c.longValue(Settings.TELEMETRY_INTERVAL));
        var e = assertThrows(ConfigException.class, () -> c.with(Settings.TELEMETRY_INTERVAL, "5"));
        assertTrue(e.getMessage().contains("allowed: an integer from 100"), e.getMessage());
        assertEquals(2000, AgentConfig.parse(c.toFileText(), "round trip").longValue(Settings.TELEMETRY_INTERVAL));
    }
}
