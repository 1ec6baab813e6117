package io.nanofleet.agent.sensor;

import java.io.IOException;

/**
 * Writes to a Modbus TCP server: write single coil (function 5) and write single register (function 6), on the
 * unit id and connection the agent's Modbus settings name. A refused or failed write is an {@link IOException}
 * whose message says which server, unit and address, and why.
 */
public interface ModbusWriter {
    /** Function 5: sets coil {@code address} (0..65535) on or off. */
    void writeCoil(int address, boolean on) throws IOException;

    /** Function 6: sets holding register {@code address} (0..65535) to {@code value} (0..65535). */
    void writeRegister(int address, int value) throws IOException;

    /** "host:port unit N", for messages and confirmations. */
    String describe();
}
