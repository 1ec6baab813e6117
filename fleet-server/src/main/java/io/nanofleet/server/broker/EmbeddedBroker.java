package io.nanofleet.server.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
import io.nanofleet.server.StartupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * HiveMQ CE running inside the server process, so the demo and small deployments need nothing else
 * installed. In-memory persistence: device sessions are cheap to rebuild, and retained states are
 * republished by every agent when it reconnects.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final EmbeddedHiveMQ hivemq;
    private final String host;
    private final int port;

    private EmbeddedBroker(EmbeddedHiveMQ hivemq, String host, int port) {
        this.hivemq = hivemq;
        this.host = host;
        this.port = port;
    }

    public static EmbeddedBroker start(Path workDir, String host, int port) {
        try {
            Path conf = Files.createDirectories(workDir.resolve("conf"));
            Path data = Files.createDirectories(workDir.resolve("data"));
            Path extensions = Files.createDirectories(workDir.resolve("extensions"));
            Files.writeString(conf.resolve("config.xml"), configXml(host, port));
            EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(data)
                    .withExtensionsFolder(extensions)
                    .withoutLoggingBootstrap()
                    .build();
            hivemq.start().get(60, TimeUnit.SECONDS);
            return new EmbeddedBroker(hivemq, host, port);
        } catch (IOException e) {
            throw new StartupException("cannot prepare the embedded broker's folders under " + workDir + ": " + e.getMessage()
                    + ". Choose a writable --data-dir.", e);
        } catch (Exception e) {
            throw new StartupException("the embedded MQTT broker did not start on " + host + ":" + port + ": " + e.getMessage()
                    + ". Choose another --mqtt-port, or use --broker mqtt://host:port for an external broker.", e);
        }
    }

    static String configXml(String host, int port) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                        </tcp-listener>
                    </listeners>
                    <persistence>
                        <mode>in-memory</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, host);
    }

    /** URI for clients in this process and on this machine. */
    public String localUri() {
        String h = host.equals("0.0.0.0") ? "127.0.0.1" : host;
        return "tcp://" + h + ":" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            hivemq.stop().get(30, TimeUnit.SECONDS);
            hivemq.close();
        } catch (Exception e) {
            // shutting down: nothing useful to do with the failure
        }
    }
}
