package io.nanofleet.server.ingest;

import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/** How the server's own MQTT clients reach the broker: Paho URI, optional credentials, optional TLS. */
public record BrokerConnection(String uri, String username, String password, SSLSocketFactory tls) {
    public static BrokerConnection plain(String uri) {
        return new BrokerConnection(uri, null, null, null);
    }

    /** Adds the credentials and TLS to a client's connect options. */
    public void applyTo(MqttConnectionOptions options) {
        if (username != null) {
            options.setUserName(username);
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        if (tls != null) {
            options.setSocketFactory(tls);
            options.setHttpsHostnameVerificationEnabled(true);
        }
    }
}
