package io.nanofleet.server.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.server.Await;
import io.nanofleet.server.FleetServer;
import io.nanofleet.server.Http;
import io.nanofleet.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an upload may cost the server before it is accepted (issue 12, item 7), over real connections:
 * a request without a valid operator token is answered 401/403 from its headers, before any body byte is
 * read, and nothing reaches {@code <data-dir>/uploads}; an authenticated upload over the limit is 413 with a
 * message, whether it announces its length or streams it chunked; and a client that disconnects mid-upload
 * leaves no partial file behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadLimitsIT {
    static final long FIFTY_MB = 50L * 1024 * 1024;
    static final String BOUNDARY = "nf-limits";

    @TempDir
    static Path dataDir;
    FleetServer server;
    String admin;
    String viewer;
    Path uploads;

    @BeforeAll
    void start() throws Exception {
        server = new FleetServer(ServerConfig.builder().mqttsPort(0).coapPort(0).httpHost("127.0.0.1").httpPort(0)
                .mqttHost("127.0.0.1").mqttPort(0).dataDir(dataDir).build()).start();
        admin = server.adminToken();
        viewer = Http.post(base() + "/api/v1/tokens", "{\"name\":\"dash\",\"role\":\"viewer\"}", admin).json().getString("token");
        uploads = dataDir.resolve("uploads");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    String base() {
        return "http://127.0.0.1:" + server.httpPort();
    }

    List<Path> spooled() throws IOException {
        try (Stream<Path> s = Files.list(uploads)) {
            return s.toList();
        }
    }

    static String head(long contentLength, String token) {
        return "POST /api/v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Content-Type: multipart/form-data; boundary=" + BOUNDARY + "\r\n"
                + (contentLength < 0 ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + contentLength + "\r\n")
                + "\r\n";
    }

    static byte[] partHead() {
        return ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nmodels/huge.nfm\r\n--" + BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"model\"; filename=\"huge.nfm\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads one response head (status line and headers) and whatever body follows within the timeout. */
    static String readResponse(Socket s, Duration timeout) throws IOException {
        s.setSoTimeout((int) timeout.toMillis());
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            int n;
            while (System.nanoTime() < deadline && (n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
                String text = got.toString(StandardCharsets.UTF_8);
                int headEnd = text.indexOf("\r\n\r\n");
                if (headEnd > 0 && text.contains("}")) {
                    break; // our error bodies are one JSON object
                }
            }
        } catch (SocketTimeoutException e) {
            // what we have is the answer
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutATokenA50MbUploadIsRefusedFromItsHeadersAndNothingIsSpooled() throws Exception {
        for (String token : new String[] {null, "not-a-token", viewer}) {
            try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
                OutputStream out = s.getOutputStream();
                out.write(head(FIFTY_MB, token).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                long t0 = System.nanoTime();
                // Not one body byte sent: the answer must come from the headers alone.
                String answer = readResponse(s, Duration.ofSeconds(10));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                int expected = token == viewer ? 403 : 401;
                assertTrue(answer.startsWith("HTTP/1.1 " + expected), "token " + token + ": " + answer);
                assertTrue(answer.contains(token == viewer ? "needs the operator role" : "token"), answer);
                assertTrue(ms < 5000, "answered in " + ms + " ms");
                // The server closes the connection instead of reading the body: sending it fails long before 50 MB.
                AtomicLong sent = new AtomicLong();
                Thread writer = new Thread(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try {
                        out.write(partHead());
                        while (sent.get() < FIFTY_MB) {
                            out.write(chunk);
                            sent.addAndGet(chunk.length);
                        }
                    } catch (IOException closed) {
                        // expected: the server closed the connection
                    }
                });
                writer.start();
                writer.join(15_000);
                assertTrue(!writer.isAlive(), "the server neither read nor closed: the body write is stuck after "
                        + sent.get() + " bytes");
                assertTrue(sent.get() < FIFTY_MB / 2, "the server kept accepting the body of a refused upload: " + sent.get()
                        + " bytes");
            }
            assertEquals(List.of(), spooled(), "nothing spooled for a refused upload");
        }

        // A client that asks first (Expect: 100-continue, as curl does for large bodies) is never invited to send it.
        try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
            String h = head(FIFTY_MB, null);
            s.getOutputStream().write((h.substring(0, h.length() - 2) + "Expect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = readResponse(s, Duration.ofSeconds(10));
            assertTrue(answer.startsWith("HTTP/1.1 401"), answer);
            assertTrue(!answer.contains("100 Continue"), answer);
        }
        assertEquals(List.of(), spooled());
    }

    @Test
    void anAnnouncedOverLimitUploadIs413AtOnce() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
            s.getOutputStream().write(head(ModelRoutes.MAX_MODEL_BYTES + 1, admin).getBytes(StandardCharsets.US_ASCII));
            String answer = readResponse(s, Duration.ofSeconds(10));
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(answer.contains("larger than the 64 MiB"), answer);
        }
        assertEquals(List.of(), spooled());
    }

    @Test
    void aStreamedOverLimitUploadIs413AndItsPartialFileIsDeleted() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
            OutputStream out = s.getOutputStream();
            out.write(head(-1, admin).getBytes(StandardCharsets.US_ASCII));
            chunk(out, partHead());
            byte[] mb = new byte[1024 * 1024];
            Thread writer = new Thread(() -> {
                try {
                    for (long sent = 0; sent <= ModelRoutes.MAX_MODEL_BYTES + 4 * mb.length; sent += mb.length) {
                        chunk(out, mb);
                    }
                } catch (IOException closed) {
                    // the server stopped reading: expected
                }
            });
            writer.start();
            String answer = readResponse(s, Duration.ofSeconds(60));
            writer.join(30_000);
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(answer.contains("larger than the 64 MiB"), answer);
        }
        Await.until(Duration.ofSeconds(10), "partial upload deleted", this::spooled, List::isEmpty);
    }

    @Test
    void aClientThatDisconnectsMidUploadLeavesNoFile() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
            OutputStream out = s.getOutputStream();
            out.write(head(20L * 1024 * 1024, admin).getBytes(StandardCharsets.US_ASCII));
            out.write(partHead());
            byte[] mb = new byte[1024 * 1024];
            for (int i = 0; i < 5; i++) {
                out.write(mb);
            }
            out.flush();
            Await.until(Duration.ofSeconds(10), "upload being spooled", this::spooled, l -> !l.isEmpty());
        } // closed with 15 MB still announced
        Await.until(Duration.ofSeconds(10), "partial upload deleted", this::spooled, List::isEmpty);
        // The server still answers the next upload normally.
        assertEquals(400, Http.post(base() + "/api/v1/models", "{}", admin).status());
    }

    static void chunk(OutputStream out, byte[] data) throws IOException {
        out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(data);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
}
