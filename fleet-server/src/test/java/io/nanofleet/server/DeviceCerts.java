package io.nanofleet.server;

import io.nanofleet.server.identity.Pem;
import io.nanofleet.server.identity.TlsContexts;
import io.vertx.core.json.JsonObject;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import javax.net.ssl.SSLContext;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;

/** A device identity made in a test: key pair, CSR, and (after enrollment) certificate and TLS context. */
final class DeviceCerts {
    final String deviceId;
    final KeyPair keys;
    X509Certificate cert;
    X509Certificate ca;

    DeviceCerts(String deviceId) throws Exception {
        this.deviceId = deviceId;
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        keys = g.generateKeyPair();
    }

    String csr(String cn) throws Exception {
        var csr = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=" + cn), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        return Pem.encode("CERTIFICATE REQUEST", csr.getEncoded());
    }

    /** Takes certificate and CA from an enrollment answer. */
    DeviceCerts enrolled(JsonObject answer) throws Exception {
        cert = Pem.certificate(answer.getString("certificate"));
        ca = Pem.certificate(answer.getString("caCertificate"));
        return this;
    }

    SSLContext tls() {
        return TlsContexts.client(keys.getPrivate(), cert, ca);
    }

    /** A raw MQTT 5 client over TLS with this identity (connect options are the caller's). */
    MqttClient client(String uri, String clientId) throws Exception {
        return new MqttClient(uri, clientId, new MemoryPersistence());
    }

    MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(tls().getSocketFactory());
        o.setCleanStart(true);
        o.setConnectionTimeout(20);
        o.setAutomaticReconnect(false);
        return o;
    }
}
