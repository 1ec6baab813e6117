package io.nanofleet.agent.sensor;

import com.ghgande.j2mod.modbus.facade.ModbusTCPMaster;
import com.ghgande.j2mod.modbus.procimg.InputRegister;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;
import java.io.IOException;

/**
 * One Modbus TCP server (host, port, unit id) as the agent talks to it with j2mod: register reads for the
 * {@link ModbusSensor} and single coil / register writes ({@link ModbusWriter}) for the operator's bound commands.
 * Calls are serialised (j2mod retries a failed transaction; function 5 and 6 writes set absolute values, so a
 * retried write does no harm); a failed call closes the connection and the next one opens it again, so a PLC restart
 * needs no agent restart.
 */
public final class ModbusConnection implements ModbusWriter, AutoCloseable {
    private final String host;
    private final int port;
    private final int unitId;
    private final int timeoutMs;
    private ModbusTCPMaster master;

    public ModbusConnection(String host, int port, int unitId, int timeoutMs) {
        this.host = host;
        this.port = port;
        this.unitId = unitId;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public String describe() {
        return host + ":" + port + " unit " + unitId;
    }

    private ModbusTCPMaster master() throws Exception {
        if (master == null) {
            ModbusTCPMaster m = new ModbusTCPMaster(host, port, timeoutMs, true);
            m.connect();
            master = m;
        }
        return master;
    }

    /** One 16-bit register, from the holding ({@code holding}) or input table. */
    synchronized int read(boolean holding, int address) throws IOException {
        try {
            InputRegister[] regs = holding ? master().readMultipleRegisters(unitId, address, 1)
                    : master().readInputRegisters(unitId, address, 1);
            return regs[0].getValue();
        } catch (Exception e) {
            throw failure("read of " + (holding ? "holding" : "input") + " register " + address, e);
        }
    }

    @Override
    public synchronized void writeCoil(int address, boolean on) throws IOException {
        check(address, "coil address");
        try {
            master().writeCoil(unitId, address, on);
        } catch (Exception e) {
            throw failure("write of coil " + address, e);
        }
    }

    @Override
    public synchronized void writeRegister(int address, int value) throws IOException {
        check(address, "register address");
        check(value, "register value");
        try {
            master().writeSingleRegister(unitId, address, new SimpleRegister(value));
        } catch (Exception e) {
            throw failure("write of register " + address, e);
        }
    }

    private static void check(int v, String what) {
        if (v < 0 || v > 65_535) {
            throw new IllegalArgumentException(what + " must be 0..65535, got " + v);
        }
    }

    private IOException failure(String what, Exception e) {
        close();
        return new IOException("Modbus " + describe() + ": " + what + " failed: " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        if (master != null) {
            master.disconnect();
            master = null;
        }
    }
}
