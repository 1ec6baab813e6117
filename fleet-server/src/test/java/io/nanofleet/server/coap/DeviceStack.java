package io.nanofleet.server.coap;

import io.nanofleet.server.Ports;
import io.nanofleet.server.broker.EmbeddedBroker;
import io.nanofleet.server.ingest.BrokerConnection;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.Downlinks;
import io.nanofleet.server.ingest.IngestBus;
import io.nanofleet.server.ingest.ServerMqttClient;
import io.nanofleet.server.store.BatchWriter;
import io.nanofleet.server.store.FleetStore;
import java.nio.file.Path;

/**
 * The server's device-facing core for transport tests: SQLite store, batch writer, the ingest step, an open
 * embedded HiveMQ on a free port reached like an external broker (the server's MQTT client, echoing
 * downlinks), all real, without the HTTP side.
 */
final class DeviceStack implements AutoCloseable {
    final FleetStore store;
    final BatchWriter writer;
    final EmbeddedBroker broker;
    final IngestBus bus;
    final DeviceGateway gateway;
    final ServerMqttClient mqtt;
    final Downlinks downlinks;

    DeviceStack(Path dir) {
        store = FleetStore.open("jdbc:sqlite:" + dir.resolve("fleet.db").toAbsolutePath());
        writer = new BatchWriter(store, 10_000);
        broker = EmbeddedBroker.start(dir.resolve("broker"), "127.0.0.1", Ports.freePort());
        bus = new IngestBus().add(IngestBus.Scope.ONCE, writer);
        gateway = new DeviceGateway(bus, System::currentTimeMillis);
        mqtt = new ServerMqttClient(BrokerConnection.plain(broker.localUri()), gateway, true);
        downlinks = new Downlinks(mqtt);
        mqtt.downlinks(downlinks);
    }

    /** Connects the server's MQTT client (after the CoAP endpoint listens on {@link #downlinks}). */
    DeviceStack start() {
        mqtt.start();
        return this;
    }

    @Override
    public void close() {
        mqtt.close();
        writer.close();
        broker.close();
        store.close();
    }
}
