package io.nanofleet.agent.sensor;

import java.io.IOException;
import java.util.List;

/**
 * Polls holding and input registers of a Modbus TCP server (an industrial gateway's PLC) with j2mod, one
 * channel per register of the map. A failed poll is an {@link IOException} (counted by the agent); the
 * connection is re-opened on the next read, so a PLC restart needs no agent restart. The same
 * {@link #connection()} carries the operator's bound coil and register writes.
 */
public final class ModbusSensor implements SensorSource {
    private final ModbusConnection connection;
    private final List<ModbusRegister> registers;
    private final List<String> channels;

    public ModbusSensor(String host, int port, int unitId, int timeoutMs, List<ModbusRegister> registers) {
        this(new ModbusConnection(host, port, unitId, timeoutMs), registers);
    }

    public ModbusSensor(ModbusConnection connection, List<ModbusRegister> registers) {
        this.connection = connection;
        this.registers = List.copyOf(registers);
        this.channels = registers.stream().map(ModbusRegister::name).toList();
    }

    /** The sensor's connection, which also writes ({@link ModbusWriter}). */
    public ModbusConnection connection() {
        return connection;
    }

    @Override
    public List<String> channels() {
        return channels;
    }

    @Override
    public void read(double[] out) throws IOException {
        synchronized (connection) {
            for (int i = 0; i < registers.size(); i++) {
                ModbusRegister r = registers.get(i);
                out[i] = r.value(connection.read(r.holding(), r.address()));
            }
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
