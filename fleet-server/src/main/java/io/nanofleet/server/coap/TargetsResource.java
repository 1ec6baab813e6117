package io.nanofleet.server.coap;

import io.nanofleet.protocols.CoapPaths;
import io.nanofleet.protocols.InvalidAddressException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code /v1/targets/{name}}: update targets in Block2 blocks read straight from the file, so any
 * block can be asked for in any order (a device resumes an interrupted download at its next block)
 * and the server never holds a whole model per download. Any authenticated device may read targets:
 * integrity comes from the signed metadata, which the device checks before using a byte.
 */
final class TargetsResource extends CoapResource {
    /** Largest block we serve (szx 6): a 1024-byte payload still fits a DTLS record under common MTUs. */
    static final int MAX_SZX = 6;
    private final TargetSource targets;
    private final Peers peers;
    private final int defaultSzx;

    TargetsResource(TargetSource targets, Peers peers, int preferredBlockSize) {
        super(CoapPaths.TARGETS);
        this.targets = targets;
        this.peers = peers;
        this.defaultSzx = Math.min(MAX_SZX, BlockOption.size2Szx(preferredBlockSize));
    }

    /** Target names may have several segments: every deeper segment is handled here. */
    @Override
    public Resource getChild(String name) {
        return this;
    }

    @Override
    public void handleGET(CoapExchange ex) {
        if (peers.deviceId(ex) == null) {
            ex.respond(ResponseCode.UNAUTHORIZED, "a DTLS session with a valid device identity is required");
            return;
        }
        List<String> path = ex.getRequestOptions().getUriPath();
        if (path.size() < 3) {
            ex.respond(ResponseCode.NOT_FOUND, "use /v1/targets/{name}");
            return;
        }
        String name = String.join("/", path.subList(2, path.size()));
        try {
            CoapPaths.requireTargetName(name);
        } catch (InvalidAddressException e) {
            ex.respond(ResponseCode.BAD_REQUEST, e.getMessage());
            return;
        }
        Optional<Path> file = targets.target(name);
        if (file.isEmpty()) {
            ex.respond(ResponseCode.NOT_FOUND, "no target named " + name);
            return;
        }
        BlockOption asked = ex.getRequestOptions().getBlock2();
        int szx = asked == null ? defaultSzx : Math.min(MAX_SZX, asked.getSzx());
        int num = asked == null ? 0 : asked.getNum();
        int size = BlockOption.szx2Size(szx);
        // Keep the offset the client asked for when we shrink the block size (RFC 7959 2.4).
        if (asked != null && asked.getSzx() > szx) {
            num = asked.getNum() * (asked.getSize() / size);
        }
        try (FileChannel ch = FileChannel.open(file.get(), StandardOpenOption.READ)) {
            long length = ch.size();
            long offset = (long) num * size;
            if (offset > length || (offset == length && length > 0)) {
                ex.respond(ResponseCode.BAD_OPTION, "block " + num + " is past the end of " + name + " (" + length + " bytes)");
                return;
            }
            int n = (int) Math.min(size, length - offset);
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) >= 0) {
                // read until the block is full
            }
            Response r = new Response(ResponseCode.CONTENT);
            r.setPayload(buf.array());
            r.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_OCTET_STREAM)
                    .setBlock2(szx, offset + n < length, num)
                    .setSize2((int) Math.min(Integer.MAX_VALUE, length));
            ex.respond(r);
        } catch (IOException e) {
            ex.respond(ResponseCode.INTERNAL_SERVER_ERROR, "cannot read target " + name);
        }
    }
}
