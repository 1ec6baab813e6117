package io.nanofleet.server.broker;

import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.interceptor.subscribe.SubscribeInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundInput;
import com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundOutput;
import com.hivemq.extension.sdk.api.packets.subscribe.Subscription;
import io.nanofleet.server.metrics.FleetMetrics;

/**
 * Counts what the device ACL ({@link DeviceAcl}) is about to deny, by activity (publish, subscribe), for
 * device listeners only: HiveMQ applies the permissions itself and reports nothing, and inbound
 * interceptors run before its authorization with the same topics. Labels never carry device ids.
 */
final class AclDenials implements PublishInboundInterceptor, SubscribeInboundInterceptor {
    private final FleetMetrics metrics;

    AclDenials(FleetMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void onInboundPublish(PublishInboundInput in, PublishInboundOutput out) {
        String clientId = in.getClientInformation().getClientId();
        if (!DeviceAcl.publishTopics(clientId).contains(in.getPublishPacket().getTopic())) {
            metrics.aclDenied("publish");
        }
    }

    @Override
    public void onInboundSubscribe(SubscribeInboundInput in, SubscribeInboundOutput out) {
        String clientId = in.getClientInformation().getClientId();
        for (Subscription s : in.getSubscribePacket().getSubscriptions()) {
            if (!DeviceAcl.subscribeTopics(clientId).contains(s.getTopicFilter())) {
                metrics.aclDenied("subscribe");
            }
        }
    }
}
