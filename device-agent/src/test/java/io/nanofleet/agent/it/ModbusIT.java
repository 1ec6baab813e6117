package io.nanofleet.agent.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ghgande.j2mod.modbus.procimg.SimpleInputRegister;
import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;
import io.nanofleet.agent.sensor.ModbusRegister;
import io.nanofleet.agent.sensor.ModbusSensor;
import io.nanofleet.agent.testing.Mosquitto;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Modbus sensor against j2mod's own Modbus TCP server on 127.0.0.1: registers map to channels. */
class ModbusIT {
    private static ModbusSlave server(int port, SimpleProcessImage image) throws Exception {
        ModbusSlave slave = ModbusSlaveFactory.createTCPSlave(InetAddress.getLoopbackAddress(), port, 2, false);
        slave.addProcessImage(1, image);
        slave.open();
        return slave;
    }

    @Test
    void holdingAndInputRegistersBecomeScaledChannels() throws Exception {
        SimpleProcessImage image = new SimpleProcessImage(1);
        image.addRegister(new SimpleRegister(1234));        // holding 0: pressure x0.01
        image.addRegister(new SimpleRegister(7));           // holding 1
        image.addInputRegister(new SimpleInputRegister(0xfff6)); // input 0: temperature, signed, x0.1 -> -1.0
        image.addInputRegister(new SimpleInputRegister(500));    // input 1: flow
        int port = Mosquitto.freePort();
        ModbusSlave slave = server(port, image);
        List<ModbusRegister> map = ModbusRegister.parseMap("pressure:holding:0:0.01, temperature:input:0:0.1:signed, flow:input:1");
        try (ModbusSensor sensor = new ModbusSensor("127.0.0.1", port, 1, 2000, map)) {
            assertEquals(List.of("pressure", "temperature", "flow"), sensor.channels());
            double[] x = new double[3];
            sensor.read(x);
            assertArrayEquals(new double[] {12.34, -1.0, 500}, x, 1e-9);
            image.getRegister(0).setValue(2000);
            sensor.read(x);
            assertEquals(20.0, x[0], 1e-9);

            // The PLC goes away: a typed error per poll, and the sensor reconnects when it is back.
            ModbusSlaveFactory.close(slave);
            IOException e = assertThrows(IOException.class, () -> sensor.read(x));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
            slave = server(port, image);
            sensor.read(x);
            assertEquals(20.0, x[0], 1e-9);
        } finally {
            ModbusSlaveFactory.close(slave);
        }
    }

    @Test
    void aMissingRegisterIsAnErrorNamingTheServer() throws Exception {
        SimpleProcessImage image = new SimpleProcessImage(1);
        image.addRegister(new SimpleRegister(1));
        int port = Mosquitto.freePort();
        ModbusSlave slave = server(port, image);
        try (ModbusSensor sensor = new ModbusSensor("127.0.0.1", port, 1, 1000, ModbusRegister.parseMap("x:holding:40"))) {
            assertThrows(IOException.class, () -> sensor.read(new double[1]));
        } finally {
            ModbusSlaveFactory.close(slave);
        }
    }
}
