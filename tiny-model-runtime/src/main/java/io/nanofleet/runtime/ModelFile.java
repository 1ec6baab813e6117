package io.nanofleet.runtime;

import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.Op;
import io.nanofleet.runtime.ir.QuantParams;
import io.nanofleet.runtime.ir.Value;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code .nfm} model file: header, payload (metadata, values, nodes) and a SHA-256 trailer over both.
 * The layout is specified in the module README. Reading verifies the hash before parsing and bounds every
 * declared count by the bytes actually left and by hard caps, so a hostile file cannot make it over-allocate.
 */
public final class ModelFile {
    public static final int FORMAT_VERSION = 1;
    /** Largest file {@link #read(Path)} accepts. */
    public static final long MAX_FILE_BYTES = 64L * 1024 * 1024;
    static final byte[] MAGIC = {'N', 'F', 'T', 'M'};
    static final int HEADER_BYTES = 12;
    static final int HASH_BYTES = 32;

    private ModelFile() {
    }

    /** Writes atomically (temp file + rename), so a crash never leaves a half-written model behind. */
    public static void write(Model model, Path path) throws IOException {
        byte[] bytes = toBytes(model);
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static Model read(Path path) throws IOException {
        long size = Files.size(path);
        if (size > MAX_FILE_BYTES) {
            throw new ModelFormatException(path + " is " + size + " bytes; model files are capped at " + MAX_FILE_BYTES);
        }
        return fromBytes(Files.readAllBytes(path));
    }

    public static byte[] toBytes(Model model) {
        ModelWriter w = new ModelWriter();
        w.bytes(MAGIC);
        w.u16(FORMAT_VERSION);
        w.u16(0);
        w.u32(0); // payload length, patched below
        writeMetadata(w, model.metadata());
        Graph g = model.graph();
        w.u32(g.values().size());
        for (Value v : g.values()) {
            w.str(v.name);
            w.u8((v.ids ? 1 : 0) | (v.quant != null ? 2 : 0));
            w.u8(v.shape.length);
            for (int d : v.shape) {
                w.u32(d);
            }
            if (v.quant != null) {
                w.f32(v.quant.scale());
                w.i32(v.quant.zeroPoint());
            }
        }
        w.u32(g.nodes().size());
        for (Node n : g.nodes()) {
            w.u16(n.op.code);
            w.str(n.name);
            w.ints(n.inputs);
            w.i32(n.output);
            w.ints(n.attrs);
            w.u8(n.fusedActivation == null ? 0 : n.fusedActivation.code);
            w.u16(presence(n));
            if (n.weights != null) w.floats(n.weights);
            if (n.bias != null) w.floats(n.bias);
            if (n.qWeights != null) w.byteArray(n.qWeights);
            if (n.qBias != null) w.ints(n.qBias);
            if (n.wScale != null) w.floats(n.wScale);
            if (n.wZeroPoint != null) w.ints(n.wZeroPoint);
            if (n.aux != null) w.floats(n.aux);
            if (n.auxInt != null) w.ints(n.auxInt);
        }
        w.ints(g.inputs());
        w.ints(g.outputs());
        byte[] body = w.toByteArray();
        ByteBuffer.wrap(body, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(body.length - HEADER_BYTES);
        byte[] out = new byte[body.length + HASH_BYTES];
        System.arraycopy(body, 0, out, 0, body.length);
        System.arraycopy(sha256(body, body.length), 0, out, body.length, HASH_BYTES);
        return out;
    }

    public static Model fromBytes(byte[] file) throws ModelFormatException {
        if (file.length < HEADER_BYTES + HASH_BYTES) {
            throw new ModelFormatException("not a model file: " + file.length + " bytes is shorter than header and hash");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (file[i] != MAGIC[i]) {
                throw new ModelFormatException("not a NanoFleet model file (bad magic)");
            }
        }
        ByteBuffer h = ByteBuffer.wrap(file, 0, HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int version = Short.toUnsignedInt(h.getShort(4));
        if (version > FORMAT_VERSION) {
            throw new ModelFormatException("model file format version " + version + " is newer than this runtime supports ("
                    + FORMAT_VERSION + "); upgrade nanofleet-tiny-model-runtime to load it");
        }
        if (version < 1) {
            throw new ModelFormatException("invalid model file format version " + version);
        }
        long declared = Integer.toUnsignedLong(h.getInt(8));
        long actual = (long) file.length - HEADER_BYTES - HASH_BYTES;
        if (declared != actual) {
            throw new ModelFormatException("model file is truncated or padded: header declares " + declared
                    + " payload bytes, file holds " + actual);
        }
        byte[] expected = sha256(file, file.length - HASH_BYTES);
        if (!MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(file, file.length - HASH_BYTES, file.length))) {
            throw new ModelFormatException("model file is corrupted: SHA-256 mismatch");
        }
        ModelReader r = new ModelReader(file, HEADER_BYTES, file.length - HASH_BYTES);
        try {
            ModelMetadata meta = readMetadata(r);
            int nv = r.count(Graph.MAX_VALUES, 7, "values");
            List<Value> values = new ArrayList<>(nv);
            for (int i = 0; i < nv; i++) {
                String name = r.str();
                int flags = r.u8();
                int rank = r.u8();
                if (rank > 8) {
                    throw new ModelFormatException("value '" + name + "' has rank " + rank + " (max 8)");
                }
                int[] shape = new int[rank];
                for (int d = 0; d < rank; d++) {
                    shape[d] = r.i32();
                }
                Value v = new Value(name, shape, (flags & 1) != 0);
                if ((flags & 2) != 0) {
                    v.quant = new QuantParams(r.f32(), r.i32());
                }
                values.add(v);
            }
            int nn = r.count(Graph.MAX_NODES, 16, "nodes");
            List<Node> nodes = new ArrayList<>(nn);
            for (int i = 0; i < nn; i++) {
                int code = r.u16();
                Op op = Op.fromCode(code);
                String name = r.str();
                if (op == null) {
                    throw new ModelFormatException("node '" + name + "' has unknown operator code " + code);
                }
                int[] inputs = r.ints(64);
                int output = r.i32();
                int[] attrs = r.ints(16);
                int act = r.u8();
                Node n = new Node(op, name, inputs, output, attrs);
                if (act != 0) {
                    n.fusedActivation = Op.fromCode(act);
                    if (n.fusedActivation != Op.RELU) {
                        throw new ModelFormatException("node '" + name + "' has unsupported fused activation code " + act);
                    }
                }
                int present = r.u16();
                if ((present & 1) != 0) n.weights = r.floats(Graph.MAX_ELEMENTS);
                if ((present & 2) != 0) n.bias = r.floats(Graph.MAX_ELEMENTS);
                if ((present & 4) != 0) n.qWeights = r.byteArray(Graph.MAX_ELEMENTS);
                if ((present & 8) != 0) n.qBias = r.ints(Graph.MAX_ELEMENTS);
                if ((present & 16) != 0) n.wScale = r.floats(Graph.MAX_ELEMENTS);
                if ((present & 32) != 0) n.wZeroPoint = r.ints(Graph.MAX_ELEMENTS);
                if ((present & 64) != 0) n.aux = r.floats(Graph.MAX_ELEMENTS);
                if ((present & 128) != 0) n.auxInt = r.ints(Graph.MAX_ELEMENTS);
                nodes.add(n);
            }
            int[] inputs = r.ints(64);
            int[] outputs = r.ints(64);
            r.expectEnd();
            Graph g = new Graph(values, nodes, inputs, outputs);
            NodeParamCheck.check(g);
            return new Model(g, meta);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("invalid model: " + e.getMessage(), e);
        }
    }

    private static int presence(Node n) {
        return (n.weights != null ? 1 : 0) | (n.bias != null ? 2 : 0) | (n.qWeights != null ? 4 : 0)
                | (n.qBias != null ? 8 : 0) | (n.wScale != null ? 16 : 0) | (n.wZeroPoint != null ? 32 : 0)
                | (n.aux != null ? 64 : 0) | (n.auxInt != null ? 128 : 0);
    }

    private static void writeMetadata(ModelWriter w, ModelMetadata m) {
        w.str(m.kind());
        w.u32(m.channels().size());
        m.channels().forEach(w::str);
        w.u32(m.windowLength());
        w.u32(m.scalers().size());
        m.scalers().forEach((k, v) -> {
            w.str(k);
            w.floats(v);
        });
        w.u32(m.labels().size());
        m.labels().forEach(w::str);
        w.u32(m.properties().size());
        m.properties().forEach((k, v) -> {
            w.str(k);
            w.str(v);
        });
    }

    private static ModelMetadata readMetadata(ModelReader r) throws ModelFormatException {
        ModelMetadata.Builder b = ModelMetadata.builder().kind(r.str());
        int nc = r.count(65_536, 2, "channels");
        List<String> channels = new ArrayList<>(nc);
        for (int i = 0; i < nc; i++) {
            channels.add(r.str());
        }
        b.channels(channels);
        int window = r.i32();
        if (window < 0) {
            throw new ModelFormatException("negative window length " + window);
        }
        b.windowLength(window);
        int ns = r.count(1024, 6, "scalers");
        for (int i = 0; i < ns; i++) {
            b.scaler(r.str(), r.floats(Graph.MAX_ELEMENTS));
        }
        int nl = r.count(65_536, 2, "labels");
        List<String> labels = new ArrayList<>(nl);
        for (int i = 0; i < nl; i++) {
            labels.add(r.str());
        }
        b.labels(labels);
        int np = r.count(4096, 4, "properties");
        for (int i = 0; i < np; i++) {
            b.property(r.str(), r.str());
        }
        return b.build();
    }

    static byte[] sha256(byte[] data, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, 0, length);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** Hex SHA-256 of a model's file bytes, e.g. to pin a model in a release manifest. */
    public static String sha256Hex(byte[] fileBytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : sha256(fileBytes, fileBytes.length)) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }
}
