package io.nanofleet.server.broker;

import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ClientInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionLostInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.WillPublishPacket;
import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.InvalidAddressException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.server.ingest.DeviceGateway;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A device's last will (its OFFLINE state) to the ingest step, in-process: HiveMQ publishes wills itself,
 * past every interceptor, so {@link UplinkInterceptor} never sees them. The broker still publishes and
 * retains the will as usual; this class mirrors when it does (MQTT 5, 3.1.2.5): when an accepted
 * connection ends other than by a normal DISCONNECT, after the will delay unless the client has connected
 * again. Only a will on the client's own state topic is taken (the device ACL refuses any other).
 */
final class WillForwarder implements ClientLifecycleEventListener {
    private record Will(DeviceAddress address, byte[] payload, long delaySeconds) {}

    private final DeviceGateway gateway;
    private final ScheduledExecutorService executor;
    /** Wills of connections not yet authenticated, and of live ones. */
    private final Map<String, Will> connecting = new ConcurrentHashMap<>();
    private final Map<String, Will> live = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> delayed = new ConcurrentHashMap<>();

    WillForwarder(DeviceGateway gateway, ScheduledExecutorService executor) {
        this.gateway = gateway;
        this.executor = executor;
    }

    @Override
    public void onMqttConnectionStart(ConnectionStartInput in) {
        String clientId = in.getClientInformation().getClientId();
        connecting.remove(clientId);
        in.getConnectPacket().getWillPublish().ifPresent(w -> {
            DeviceAddress a = ownState(clientId, w);
            if (a != null) {
                connecting.put(clientId, new Will(a, w.getPayload().map(UplinkInterceptor::bytes).orElse(new byte[0]),
                        w.getWillDelay()));
            }
        });
    }

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput in) {
        String clientId = in.getClientInformation().getClientId();
        ScheduledFuture<?> pending = delayed.remove(clientId);
        if (pending != null) {
            pending.cancel(false); // connected again within the will delay: no will
        }
        Will w = connecting.remove(clientId);
        if (w != null) {
            live.put(clientId, w);
        } else {
            live.remove(clientId);
        }
    }

    @Override
    public void onConnectionLost(ConnectionLostInput in) {
        publish(in.getClientInformation().getClientId());
    }

    @Override
    public void onServerInitiatedDisconnect(ServerInitiatedDisconnectInput in) {
        publish(in.getClientInformation().getClientId());
    }

    @Override
    public void onClientInitiatedDisconnect(ClientInitiatedDisconnectInput in) {
        String clientId = in.getClientInformation().getClientId();
        if (in.getReasonCode().orElse(DisconnectedReasonCode.NORMAL_DISCONNECTION) == DisconnectedReasonCode.DISCONNECT_WITH_WILL_MESSAGE) {
            publish(clientId);
        } else {
            live.remove(clientId);
        }
    }

    @Override
    public void onDisconnect(DisconnectEventInput in) {
        // Authentication failed (or any other end of a connection never accepted): no will.
        connecting.remove(in.getClientInformation().getClientId());
    }

    private void publish(String clientId) {
        connecting.remove(clientId);
        Will w = live.remove(clientId);
        if (w == null) {
            return;
        }
        if (w.delaySeconds() <= 0) {
            gateway.ingest(w.address(), w.payload());
        } else {
            delayed.put(clientId, executor.schedule(() -> {
                delayed.remove(clientId);
                gateway.ingest(w.address(), w.payload());
            }, w.delaySeconds(), TimeUnit.SECONDS));
        }
    }

    private static DeviceAddress ownState(String clientId, WillPublishPacket w) {
        try {
            DeviceAddress a = Topics.parse(w.getTopic());
            return a.channel() == Channel.STATE && a.deviceId().equals(clientId) ? a : null;
        } catch (InvalidAddressException e) {
            return null;
        }
    }
}
