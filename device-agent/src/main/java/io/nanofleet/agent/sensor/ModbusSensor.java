package io.nanofleet.agent.sensor;

import com.ghgande.j2mod.modbus.facade.ModbusTCPMaster;
import com.ghgande.j2mod.modbus.procimg.InputRegister;
import java.io.IOException;
import java.util.List;

/**
 * Polls holding and input registers of a Modbus TCP server (an industrial gateway's PLC) with j2mod, one
 * channel per register of the map. A failed poll is an {@link IOException} (counted by the agent); the
 * connection is re-opened on the next read, so a PLC restart needs no agent restart.
 */
public final class ModbusSensor implements SensorSource {
    private final String host;
    private final int port;
    private final int unitId;
    private final int timeoutMs;
    private final List<ModbusRegister> registers;
    private final List<String> channels;
    private ModbusTCPMaster master;

    public ModbusSensor(String host, int port, int unitId, int timeoutMs, List<ModbusRegister> registers) {
        this.host = host;
        this.port = port;
        this.unitId = unitId;
        this.timeoutMs = timeoutMs;
        this.registers = List.copyOf(registers);
        this.channels = registers.stream().map(ModbusRegister::name).toList();
    }

    @Override
    public List<String> channels() {
        return channels;
    }

    @Override
    public synchronized void read(double[] out) throws IOException {
        try {
            if (master == null) {
                ModbusTCPMaster m = new ModbusTCPMaster(host, port, timeoutMs, true);
                m.connect();
                master = m;
            }
            for (int i = 0; i < registers.size(); i++) {
                ModbusRegister r = registers.get(i);
                InputRegister[] regs = r.holding() ? master.readMultipleRegisters(unitId, r.address(), 1)
                        : master.readInputRegisters(unitId, r.address(), 1);
                out[i] = r.value(regs[0].getValue());
            }
        } catch (Exception e) {
            close();
            throw new IOException("Modbus " + host + ":" + port + " unit " + unitId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (master != null) {
            master.disconnect();
            master = null;
        }
    }
}
