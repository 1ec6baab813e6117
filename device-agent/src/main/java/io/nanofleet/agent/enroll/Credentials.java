package io.nanofleet.agent.enroll;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What enrollment leaves in the state directory, all owner-only (0600 files in a 0700 directory): the device
 * key (PKCS#8 PEM), its certificate, the device CA, the server's command key and the trusted TUF root.
 */
public final class Credentials {
    public static final String KEY = "device.key";
    public static final String CERT = "device.crt";
    public static final String CA = "ca.crt";
    public static final String SERVER_CA = "server-ca.crt";
    public static final String COMMAND_KEY = "command-key.pem";
    public static final String ROOT = "root.json";

    private final Path dir;

    public Credentials(Path stateDir) {
        this.dir = stateDir;
    }

    public Path dir() {
        return dir;
    }

    public boolean enrolled() {
        return Files.isRegularFile(dir.resolve(KEY)) && Files.isRegularFile(dir.resolve(CERT))
                && Files.isRegularFile(dir.resolve(CA));
    }

    /** Creates the state directory owner-only (no-op where the file system has no POSIX permissions). */
    public static void ensurePrivateDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system (the device always is)
        }
    }

    /** Writes via a temp file and an atomic rename, so a power cut never leaves half a key. */
    public void writePrivate(String name, String content) throws IOException {
        ensurePrivateDir(dir);
        Path tmp = dir.resolve(name + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not POSIX
        }
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Path target = dir.resolve(name);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // 'sudo nanofleet-agent enroll' runs as root; the files belong to whoever owns the state directory (the
        // package makes it the agent's user), so the service can read them without a chown.
        try {
            var owner = Files.getOwner(dir);
            if (!owner.equals(Files.getOwner(target))) {
                Files.setOwner(target, owner);
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // not root, or no owners on this file system: the file stays ours
        }
    }

    public String read(String name) throws IOException {
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    }

    public boolean has(String name) {
        return Files.isRegularFile(dir.resolve(name));
    }

    public PrivateKey privateKey() throws IOException, GeneralSecurityException {
        return Pem.ecPrivateKey(read(KEY));
    }

    public X509Certificate certificate() throws IOException, GeneralSecurityException {
        return Pem.certificates(read(CERT)).get(0);
    }

    /** The server's Ed25519 command key, or null when enrollment did not provide one. */
    public PublicKey commandKey() throws IOException, GeneralSecurityException {
        return has(COMMAND_KEY) ? Pem.publicKey(read(COMMAND_KEY), "Ed25519") : null;
    }

    /** TLS context presenting the device certificate and trusting the device CA (and an extra server CA if stored). */
    public SSLContext sslContext() throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = new ArrayList<>(Pem.certificates(read(CERT)));
        List<X509Certificate> anchors = new ArrayList<>(Pem.certificates(read(CA)));
        if (has(SERVER_CA)) {
            anchors.addAll(Pem.certificates(read(SERVER_CA)));
        }
        return sslContext(privateKey(), chain, anchors);
    }

    public static SSLContext sslContext(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> anchors)
            throws IOException, GeneralSecurityException {
        char[] pw = new char[0];
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, pw);
        ks.setKeyEntry("device", key, pw, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, pw);
        for (int i = 0; i < anchors.size(); i++) {
            ts.setCertificateEntry("ca" + i, anchors.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }
}
