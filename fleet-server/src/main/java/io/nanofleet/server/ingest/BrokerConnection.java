package io.nanofleet.server.ingest;

import javax.net.ssl.SSLSocketFactory;

/** How the server's own MQTT client reaches the broker: Paho URI, optional credentials, optional TLS. */
public record BrokerConnection(String uri, String username, String password, SSLSocketFactory tls) {
    public static BrokerConnection plain(String uri) {
        return new BrokerConnection(uri, null, null, null);
    }
}
