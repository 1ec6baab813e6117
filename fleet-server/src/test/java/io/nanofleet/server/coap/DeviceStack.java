package io.nanofleet.server.coap;

import io.nanofleet.server.Ports;
import io.nanofleet.server.broker.EmbeddedBroker;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.store.BatchWriter;
import io.nanofleet.server.store.FleetStore;
import java.nio.file.Path;

/**
 * The server's device-facing core for transport tests: SQLite store, batch writer, embedded HiveMQ on a
 * free port, and the device gateway, all real, without the HTTP side.
 */
final class DeviceStack implements AutoCloseable {
    final FleetStore store;
    final BatchWriter writer;
    final EmbeddedBroker broker;
    final DeviceGateway gateway;

    DeviceStack(Path dir) {
        store = FleetStore.open("jdbc:sqlite:" + dir.resolve("fleet.db").toAbsolutePath());
        writer = new BatchWriter(store, 10_000);
        broker = EmbeddedBroker.start(dir.resolve("broker"), "127.0.0.1", Ports.freePort());
        gateway = new DeviceGateway(broker.localUri(), writer, System::currentTimeMillis);
        gateway.start();
    }

    @Override
    public void close() {
        gateway.close();
        writer.close();
        broker.close();
        store.close();
    }
}
