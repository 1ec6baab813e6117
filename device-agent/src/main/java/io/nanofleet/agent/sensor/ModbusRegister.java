package io.nanofleet.agent.sensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One entry of a Modbus register map: channel name, table (holding or input), address, scale and whether
 * the 16-bit value is signed. Config syntax, comma separated: {@code name:holding|input:address[:scale[:signed]]},
 * e.g. {@code pressure:holding:0:0.01, temperature:input:3:0.1:signed}.
 */
public record ModbusRegister(String name, boolean holding, int address, double scale, boolean signed) {

    public static List<ModbusRegister> parseMap(String spec) {
        List<ModbusRegister> out = new ArrayList<>();
        for (String item : spec.split(",")) {
            String s = item.strip();
            if (s.isEmpty()) {
                continue;
            }
            String[] p = s.split(":");
            if (p.length < 3 || p.length > 5) {
                throw new IllegalArgumentException("register '" + s + "': expected name:holding|input:address[:scale[:signed]]");
            }
            String table = p[1].strip().toLowerCase(Locale.ROOT);
            if (!table.equals("holding") && !table.equals("input")) {
                throw new IllegalArgumentException("register '" + s + "': table must be holding or input, got '" + p[1] + "'");
            }
            int address;
            try {
                address = Integer.parseInt(p[2].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("register '" + s + "': address must be an integer 0..65535");
            }
            if (address < 0 || address > 65_535) {
                throw new IllegalArgumentException("register '" + s + "': address must be 0..65535, got " + address);
            }
            double scale = 1;
            if (p.length >= 4) {
                try {
                    scale = Double.parseDouble(p[3].strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("register '" + s + "': scale must be a number, got '" + p[3] + "'");
                }
            }
            boolean signed = false;
            if (p.length == 5) {
                if (!p[4].strip().equals("signed") && !p[4].strip().equals("unsigned")) {
                    throw new IllegalArgumentException("register '" + s + "': last field must be signed or unsigned");
                }
                signed = p[4].strip().equals("signed");
            }
            String name = p[0].strip();
            if (name.isEmpty() || out.stream().anyMatch(r -> r.name().equals(name))) {
                throw new IllegalArgumentException("register '" + s + "': channel name empty or used twice");
            }
            out.add(new ModbusRegister(name, table.equals("holding"), address, scale, signed));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the register map is empty");
        }
        return out;
    }

    double value(int raw16) {
        int v = signed ? (short) raw16 : raw16 & 0xffff;
        return v * scale;
    }
}
