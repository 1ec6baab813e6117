package io.nanofleet.agent.testing;

import io.nanofleet.agent.enroll.Pem;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away CA for tests, made with the JDK's own {@code keytool} (no Bouncy Castle near the agent):
 * it signs the agent's PKCS#10 requests exactly as a third-party CA would, and issues a server certificate.
 */
public final class TestPki {
    private static final String PW = "changeit";
    private final Path dir;
    private final Path caStore;

    public TestPki(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        this.caStore = dir.resolve("ca.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=NanoFleet Test CA",
                "-ext", "bc:c", "-validity", "30", "-keystore", caStore.toString(), "-storetype", "PKCS12", "-storepass", PW);
    }

    public String caPem() throws IOException, InterruptedException {
        Path out = dir.resolve("ca.pem");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", PW, "-file", out.toString());
        return Files.readString(out, StandardCharsets.US_ASCII);
    }

    /** Signs a PEM CSR; returns the certificate PEM. */
    public String sign(String csrPem, String ext) throws IOException, InterruptedException {
        Path in = Files.createTempFile(dir, "csr", ".pem");
        Path out = Files.createTempFile(dir, "crt", ".pem");
        Files.writeString(in, csrPem, StandardCharsets.US_ASCII);
        List<String> args = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(),
                "-storepass", PW, "-infile", in.toString(), "-outfile", out.toString(), "-validity", "30"));
        if (ext != null) {
            args.add("-ext");
            args.add(ext);
        }
        keytool(args.toArray(new String[0]));
        return Files.readString(out, StandardCharsets.US_ASCII);
    }

    /** A server key and certificate for 127.0.0.1/localhost, as PEM files {@code <name>.key} and {@code <name>.crt}. */
    public void server(String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "30", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PW);
        Path csr = dir.resolve(name + ".csr");
        keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-storepass", PW, "-file", csr.toString());
        String cert = sign(Files.readString(csr), "san=ip:127.0.0.1,dns:localhost");
        Files.writeString(dir.resolve(name + ".crt"), cert + caPem());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream is = new FileInputStream(store.toFile())) {
            ks.load(is, PW.toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey(name, PW.toCharArray());
        Files.writeString(dir.resolve(name + ".key"), Pem.encode("PRIVATE KEY", key.getEncoded()));
    }

    public Path dir() {
        return dir;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
