package io.nanofleet.ota.transfer;

import io.nanofleet.ota.metadata.TufException;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.elements.exception.ConnectorException;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * CoAP GET with Block2, one explicitly numbered block per request (RFC 7959 random access). Asking for
 * block numbers ourselves, instead of letting Californium reassemble the body, keeps memory at one block
 * and lets an interrupted transfer resume at {@code offset / blockSize}.
 */
public final class CoapTransport implements Transport {
    private final int szx;
    private final Duration timeout;

    /** @param blockSize 16..1024, a power of two */
    public CoapTransport(int blockSize, Duration timeout) {
        this.szx = BlockOption.size2Szx(blockSize);
        if (BlockOption.szx2Size(szx) != blockSize) {
            throw new IllegalArgumentException("block size must be a power of two between 16 and 1024");
        }
        this.timeout = timeout;
    }

    @Override
    public boolean supports(String scheme) {
        return "coap".equals(scheme);
    }

    @Override
    public void fetch(URI uri, long offset, Sink sink) throws IOException, TufException {
        int size = BlockOption.szx2Size(szx);
        long num = offset / size;
        long skip = offset % size;
        CoapClient client = new CoapClient(uri);
        client.setTimeout(timeout.toMillis());
        try {
            while (true) {
                Request req = Request.newGet();
                req.setURI(uri);
                req.getOptions().setBlock2(szx, false, (int) num);
                CoapResponse resp = client.advanced(req);
                if (resp == null) {
                    throw new TufException.TimeoutException(uri + ": no CoAP response within " + timeout.toMillis() + " ms (block " + num + ")");
                }
                if (resp.getCode() != CoAP.ResponseCode.CONTENT) {
                    throw new TufException.FetchException("CoAP " + resp.getCode() + " for " + uri, resp.getCode().value, null);
                }
                byte[] payload = resp.getPayload();
                BlockOption b2 = resp.getOptions().getBlock2();
                if (b2 == null) {
                    // Small resource answered in one piece.
                    if (payload.length > offset) {
                        sink.accept(ByteBuffer.wrap(payload, (int) offset, payload.length - (int) offset));
                    }
                    return;
                }
                if (b2.getNum() != num) {
                    throw new TufException.FetchException("CoAP server sent block " + b2.getNum() + ", asked for " + num, -1, null);
                }
                if (payload.length > skip) {
                    sink.accept(ByteBuffer.wrap(payload, (int) skip, payload.length - (int) skip));
                }
                skip = 0;
                if (!b2.isM()) {
                    return;
                }
                // Server may answer with a smaller block size than asked; follow its choice.
                num = (num * size + payload.length) / b2.getSize();
                size = b2.getSize();
            }
        } catch (ConnectorException e) {
            throw new TufException.FetchException("CoAP transport failed for " + uri + ": " + e.getMessage(), -1, e);
        } finally {
            client.shutdown();
        }
    }
}
