package io.nanofleet.sim.bench;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.MessageKind;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's "connected agents": one MQTT 5 connection per device, with the device's own client
 * id, that publishes its retained state once and then one TelemetryBatch (one channel summary, QoS 1,
 * {@code window_end_ms} = the publish time) every {@code 1/rate} seconds, exactly the messages and QoS a
 * real agent sends. What it leaves out is the agent's sensor pipeline and model: those cost CPU on the
 * device, not on the server. All connections share a two-thread Netty event loop, because 5,000 Paho
 * clients would need 15,000 threads on a 2-core machine. At most {@link #MAX_IN_FLIGHT} unacknowledged
 * publishes per connection (HiveMQ's default receive maximum); a tick that finds the window full is
 * counted as deferred, not sent.
 */
final class LoadClients implements AutoCloseable {
    static final int MAX_IN_FLIGHT = 10;
    private final EventLoopGroup group = new NioEventLoopGroup(2);
    private final List<Channel> channels = new ArrayList<>();
    final AtomicLong connected = new AtomicLong();
    final AtomicLong published = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong deferred = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong rejectedByBroker = new AtomicLong();
    private volatile boolean publishing;
    private final boolean retainState;

    LoadClients(boolean retainState) {
        this.retainState = retainState;
    }

    /** Opens {@code devices} connections (about {@code perSecond} per second) to host:port. */
    void connect(String host, int port, String prefix, int devices, int perSecond, double ratePerDevice) throws InterruptedException {
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 20_000);
        long periodUs = (long) (1_000_000 / ratePerDevice);
        for (int i = 0; i < devices; i++) {
            String id = prefix + i;
            Device d = new Device(id, periodUs);
            b.handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new MqttDecoder(64 * 1024), MqttEncoder.INSTANCE, d);
                }
            });
            channels.add(b.connect(host, port).sync().channel());
            if (perSecond > 0 && i % Math.max(1, perSecond / 10) == 0) {
                Thread.sleep(100);
            }
        }
    }

    void startPublishing() {
        publishing = true;
    }

    void stopPublishing() {
        publishing = false;
    }

    private final class Device extends SimpleChannelInboundHandler<MqttMessage> {
        final String id;
        final long periodUs;
        final String topic;
        long sequence;
        int inFlight;
        int nextId = 1;

        Device(String id, long periodUs) {
            this.id = id;
            this.periodUs = periodUs;
            this.topic = Topics.telemetry(id);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(MqttMessageBuilders.connect().clientId(id).protocolVersion(MqttVersion.MQTT_5)
                    .cleanSession(true).keepAlive(600).build());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
            MqttMessageType type = msg.fixedHeader().messageType();
            if (type == MqttMessageType.CONNACK) {
                if (((MqttConnAckMessage) msg).variableHeader().connectReturnCode() != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                    refused.incrementAndGet();
                    ctx.close();
                    return;
                }
                connected.incrementAndGet();
                DeviceState s = DeviceState.newBuilder().setSchemaVersion(1).setKind(MessageKind.DEVICE_STATE).setDeviceId(id)
                        .setStatus(DeviceState.Status.ONLINE).setTimestampMs(System.currentTimeMillis())
                        .setHardwareId("bench").setAgentVersion("bench").addChannels("temp").build();
                // Retained on the fleet server's own broker (as an agent does); not on a shared broker such as the
                // machine's Mosquitto, where thousands of retained states would outlive the run.
                ctx.writeAndFlush(MqttMessageBuilders.publish().topicName(Topics.state(id)).qos(MqttQoS.AT_MOST_ONCE)
                        .retained(retainState).payload(Unpooled.wrappedBuffer(Codecs.STATE.encode(s))).build());
                long offset = ThreadLocalRandom.current().nextLong(periodUs);
                ctx.executor().scheduleAtFixedRate(() -> tick(ctx), offset, periodUs, TimeUnit.MICROSECONDS);
            } else if (type == MqttMessageType.PUBACK) {
                inFlight--;
                Object vh = msg.variableHeader();
                if (vh instanceof MqttPubReplyMessageVariableHeader
                        && ((MqttPubReplyMessageVariableHeader) vh).reasonCode() >= 0x80) {
                    rejectedByBroker.incrementAndGet(); // e.g. 0x87 not authorized: the broker acked and dropped it
                } else {
                    acked.incrementAndGet();
                }
            }
        }

        private void tick(ChannelHandlerContext ctx) {
            if (!publishing || !ctx.channel().isActive()) {
                return;
            }
            if (inFlight >= MAX_IN_FLIGHT) {
                deferred.incrementAndGet();
                return;
            }
            long now = System.currentTimeMillis();
            TelemetryBatch batch = TelemetryBatch.newBuilder().setSchemaVersion(1).setKind(MessageKind.TELEMETRY_BATCH)
                    .setDeviceId(id).setSequence(++sequence).setWindowStartMs(now - 1000).setWindowEndMs(now)
                    .addChannels(ChannelSummary.newBuilder().setChannel("temp").setCount(10).setMin(20).setMax(22)
                            .setMean(21).setLast(21.5))
                    .build();
            inFlight++;
            int mid = nextId;
            nextId = nextId == 65535 ? 1 : nextId + 1;
            ctx.writeAndFlush(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).messageId(mid)
                    .payload(Unpooled.wrappedBuffer(Codecs.TELEMETRY.encode(batch))).build());
            published.incrementAndGet();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        publishing = false;
        for (Channel c : channels) {
            c.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
