package io.nanofleet.ota.transfer;

import io.nanofleet.ota.metadata.TufException;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
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
    static {
        CoapConfig.register();
        UdpConfig.register();
    }

    // Built in memory: Californium's default would create a Californium3.properties file in the working dir.
    // MAX_RESOURCE_BODY_SIZE 0 turns off Californium's transparent reassembly, which would otherwise buffer
    // the whole body when we ask for block 0.
    private final Configuration config = Configuration.createStandardWithoutFile()
            .set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 0);
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
        int curSzx = szx;
        long pos = offset;
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config).build();
        CoapClient client = new CoapClient(uri);
        client.setEndpoint(endpoint);
        client.setTimeout(timeout.toMillis());
        try {
            while (true) {
                int size = BlockOption.szx2Size(curSzx);
                long num = pos / size;
                if (num > Integer.MAX_VALUE >> 4) {
                    throw new TufException.FetchException("CoAP resource too large for Block2 numbering", -1, null);
                }
                Request req = Request.newGet();
                req.setURI(uri);
                req.getOptions().setBlock2(curSzx, false, (int) num);
                CoapResponse resp = client.advanced(req);
                if (resp == null) {
                    throw new TufException.TimeoutException(uri + ": no CoAP response within " + timeout.toMillis()
                            + " ms (block " + num + ")");
                }
                if (resp.getCode() != CoAP.ResponseCode.CONTENT) {
                    throw new TufException.FetchException("CoAP " + resp.getCode() + " for " + uri, resp.getCode().value, null);
                }
                byte[] payload = resp.getPayload();
                BlockOption b2 = resp.getOptions().getBlock2();
                if (b2 == null) {
                    // Small resource answered in one piece.
                    if (payload.length > pos) {
                        sink.accept(ByteBuffer.wrap(payload, (int) pos, payload.length - (int) pos));
                    }
                    return;
                }
                // A server may answer in a smaller block size than asked (RFC 7959 2.4); its block then
                // starts at or before the byte we need.
                long start = (long) b2.getNum() * b2.getSize();
                boolean noProgress = start + payload.length <= pos && b2.isM() && b2.getSzx() >= curSzx;
                if (start > pos || noProgress) {
                    throw new TufException.FetchException("CoAP server sent block " + b2.getNum() + "/" + b2.getSize()
                            + " but byte " + pos + " was needed", -1, null);
                }
                int skip = (int) (pos - start);
                if (payload.length > skip) {
                    sink.accept(ByteBuffer.wrap(payload, skip, payload.length - skip));
                }
                pos = Math.max(pos, start + payload.length);
                if (!b2.isM()) {
                    return;
                }
                curSzx = Math.min(curSzx, b2.getSzx());
            }
        } catch (ConnectorException e) {
            throw new TufException.FetchException("CoAP transport failed for " + uri + ": " + e.getMessage(), -1, e);
        } finally {
            client.shutdown();
            endpoint.destroy();
        }
    }
}
