package io.nanofleet.server.broker;

import io.nanofleet.server.StartupException;
import java.net.URI;

/** An external broker's address as given with {@code --broker}: mqtt://, tcp://, mqtts:// or ssl://. */
public record BrokerUri(String scheme, String host, int port) {
    /** Parses {@code --broker}, or fails with a message that shows the accepted forms. */
    public static BrokerUri parse(String broker) {
        URI uri;
        try {
            uri = URI.create(broker);
        } catch (IllegalArgumentException e) {
            throw new StartupException("--broker " + broker + " is not a URI; use mqtt://host:port or mqtts://host:port");
        }
        String scheme = uri.getScheme();
        if (uri.getHost() == null || scheme == null) {
            throw new StartupException("--broker " + broker + " needs a scheme and host, e.g. mqtt://127.0.0.1:1883");
        }
        return switch (scheme) {
            case "mqtt", "tcp" -> new BrokerUri("mqtt", uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 1883);
            case "mqtts", "ssl" -> new BrokerUri("mqtts", uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 8883);
            default -> throw new StartupException("--broker scheme '" + scheme + "' is not supported; use mqtt:// or mqtts://");
        };
    }

    public boolean tls() {
        return scheme.equals("mqtts");
    }

    /** Paho's form: tcp://host:port or ssl://host:port. */
    public String paho() {
        return (tls() ? "ssl://" : "tcp://") + host + ":" + port;
    }

    /** Accepts {@code mqtt://host:port}, {@code tcp://}, {@code mqtts://} and {@code ssl://}; returns Paho's form. */
    public static String toPaho(String broker) {
        return parse(broker).paho();
    }
}
