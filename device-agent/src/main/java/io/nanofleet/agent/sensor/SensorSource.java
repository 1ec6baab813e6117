package io.nanofleet.agent.sensor;

import java.util.List;

/** Where samples come from: a simulator, a CSV replay, sysfs, Modbus... */
public interface SensorSource extends AutoCloseable {
    /** Channel names, fixed for the life of the source; {@link #read} fills values in this order. */
    List<String> channels();

    /**
     * Reads one sample of every channel into {@code out} (length = channels().size()).
     *
     * @throws java.io.IOException when the sensor cannot be read; the agent counts it and tries again
     */
    void read(double[] out) throws java.io.IOException;

    @Override
    default void close() {}
}
