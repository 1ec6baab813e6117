package io.nanofleet.agent.ask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.config.AgentConfig;
import io.nanofleet.agent.config.ConfigException;
import io.nanofleet.agent.config.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code ask.bind.<intent>} forms, the built-in bindings, and bad lines refused by key. */
class BindingsTest {
    static final List<String> LOCAL = List.of("agent_status", "agent_recalibrate", "agent_mute_alarms", "agent_set_interval",
            "agent_last_anomalies", "agent_restart", "iot_hue_lightoff", "iot_hue_lighton", "iot_hue_lightdim", "iot_coffee");

    @Test
    void everyForm() {
        assertEquals(new Binding.AgentAction(Binding.Action.RESTART), Binding.parse("action:restart"));
        assertEquals(new Binding.CoilWrite(17, "false"), Binding.parse("modbus-coil:17:false"));
        assertEquals(new Binding.CoilWrite(17, "on"), Binding.parse(" modbus-coil:17:ON "));
        assertEquals(new Binding.CoilWrite(3, "{number}"), Binding.parse("modbus-coil:3:{number}"));
        assertEquals(new Binding.RegisterWrite(40, "{percentage}"), Binding.parse("modbus-register:40:{percentage}"));
        assertEquals(new Binding.RegisterWrite(65535, "65535"), Binding.parse("modbus-register:65535:65535"));
        assertEquals(new Binding.Reply("Lights off in the {house_place}"), Binding.parse("reply:Lights off in the {house_place}"));
        assertInstanceOf(Binding.Unbound.class, Binding.parse("none"));
        assertTrue(Binding.parse("action:restart").destructive());
        assertTrue(Binding.parse("modbus-coil:1:on").destructive());
        assertTrue(Binding.parse("modbus-register:1:2").destructive());
        assertFalse(Binding.parse("action:status").destructive());
        assertFalse(Binding.parse("reply:ok").destructive());
        assertEquals("modbus-coil:17:false", Binding.parse("modbus-coil:17:false").spec());
    }

    @Test
    void badFormsSayWhatIsAllowed() {
        assertTrue(msg("action:reboot").contains("unknown action 'reboot'; actions: status, recalibrate, mute-alarms, "
                + "set-interval, last-anomalies, restart"), msg("action:reboot"));
        assertTrue(msg("modbus-coil:17").contains("needs ADDRESS:VALUE"), msg("modbus-coil:17"));
        assertTrue(msg("modbus-coil:x:on").contains("address 'x' is not an integer 0..65535"));
        assertTrue(msg("modbus-coil:70000:on").contains("address must be 0..65535, got 70000"));
        assertTrue(msg("modbus-coil:1:maybe").contains("must be on, off, true, false, 1, 0 or a {slot}"));
        assertTrue(msg("modbus-register:1:70000").contains("must be an integer 0..65535 or a {slot}"));
        assertTrue(msg("reply:").contains("needs a text"));
        assertTrue(msg("reply:in the {room}").contains("unknown slot {room}; slots: device_type, house_place"), msg("reply:in the {room}"));
        assertTrue(msg("blink:3").contains("is not a binding; allowed: action:NAME"), msg("blink:3"));
        assertTrue(msg("").contains("is not a binding"));
    }

    private static String msg(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> Binding.parse(spec)).getMessage();
    }

    @Test
    void agentIntentsAreBoundByDefaultIotIntentsAreNot() {
        Bindings b = Bindings.defaultsFor(LOCAL);
        assertEquals(new Binding.AgentAction(Binding.Action.STATUS), b.get("agent_status"));
        assertEquals(new Binding.AgentAction(Binding.Action.MUTE_ALARMS), b.get("agent_mute_alarms"));
        assertEquals(new Binding.AgentAction(Binding.Action.RESTART), b.get("agent_restart"));
        assertNull(b.get("iot_hue_lightoff"));
        assertEquals(6, b.all().size());
    }

    @Test
    void configuredBindingsFromTheConfigFile() throws Exception {
        AgentConfig cfg = AgentConfig.parse("""
                sensor.modbus.host = 10.0.0.5
                ask.bind.iot_hue_lightoff = modbus-coil:17:off
                ask.bind.iot_hue_lightdim = modbus-register:40:{percentage}
                ask.bind.iot_coffee = reply:Coffee is not something this gateway makes
                ask.bind.agent_restart = none
                ask.bind.agent_status = reply:all good
                """, "agent.conf");
        Map<String, String> configured = cfg.withPrefix(Settings.ASK_BIND_PREFIX);
        assertEquals(5, configured.size());
        Bindings b = Bindings.of(configured, LOCAL, true);
        assertEquals(new Binding.CoilWrite(17, "off"), b.get("iot_hue_lightoff"));
        assertEquals(new Binding.RegisterWrite(40, "{percentage}"), b.get("iot_hue_lightdim"));
        assertEquals(new Binding.Reply("Coffee is not something this gateway makes"), b.get("iot_coffee"));
        assertNull(b.get("agent_restart"), "none takes the built-in binding away");
        assertEquals(new Binding.Reply("all good"), b.get("agent_status"), "a configured binding replaces the built-in one");
        assertNull(b.get("iot_hue_lighton"));
    }

    @Test
    void badBindingsFailAtStartUpNamingEveryKey() {
        Map<String, String> configured = new LinkedHashMap<>();
        configured.put("iot_hue_lightof", "modbus-coil:17:off");
        configured.put("weather_query", "reply:sunny");
        configured.put("iot_hue_lighton", "modbus-coil:17:on");
        configured.put("iot_coffee", "action:brew");
        var e = assertThrows(Bindings.InvalidBindingsException.class, () -> Bindings.of(configured, LOCAL, false));
        List<String> p = e.problems();
        assertEquals(4, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("ask.bind.iot_hue_lightof: the command model has no in-scope intent 'iot_hue_lightof' "
                + "(did you mean 'iot_hue_lightoff'?)"), p.get(0));
        assertTrue(p.get(1).startsWith("ask.bind.weather_query: the command model has no in-scope intent"), p.get(1));
        assertEquals("ask.bind.iot_hue_lighton: modbus-coil:17:on needs a Modbus server: set sensor.modbus.host (and port, unit-id)",
                p.get(2));
        assertTrue(p.get(3).startsWith("ask.bind.iot_coffee: unknown action 'brew'"), p.get(3));
    }

    @Test
    void bindingKeysAreConfigKeysButOnlyWithIntentNames() {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.parse("""
                ask.bind.Lights Off = reply:x
                ask.bind.iot_coffee = reply:a
                ask.bind.iot_coffee = reply:b
                ask.offload-expiry-s = 0
                """, "agent.conf"));
        assertEquals(3, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith("line 1: unknown key 'ask.bind.Lights Off'"), e.problems().get(0));
        assertEquals("line 3: ask.bind.iot_coffee is set twice", e.problems().get(1));
        assertTrue(e.problems().get(2).startsWith("line 4: ask.offload-expiry-s is 0; allowed: an integer from 1"), e.problems().get(2));
    }
}
