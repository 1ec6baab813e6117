package io.nanofleet.protocols;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.WireFormat;
import io.nanofleet.protocols.v1.MessageKind;
import java.io.IOException;

/**
 * Encodes and decodes one top-level message type. Decoding never throws anything but
 * {@link PayloadException}: size is checked before parsing, then protobuf errors, kind, version,
 * device id and the type's own required fields are mapped to a {@link PayloadException.Reason}.
 */
public final class MessageCodec<T extends Message> {
    /** Field numbers every top-level message shares (see messages.proto). */
    static final int SCHEMA_VERSION_FIELD = 1;
    static final int KIND_FIELD = 2;
    static final int DEVICE_ID_FIELD = 3;

    /** Per-type checks beyond the common header; returns null when fine, else the problem. */
    @FunctionalInterface
    public interface Validator<T> {
        String problem(T message);
    }

    private final MessageKind kind;
    private final Parser<T> parser;
    private final T defaultInstance;
    private final int maxBytes;
    private final Validator<T> validator;
    private final FieldDescriptor versionField;
    private final FieldDescriptor kindField;
    private final FieldDescriptor deviceIdField;

    MessageCodec(MessageKind kind, T defaultInstance, int maxBytes, Validator<T> validator) {
        this.kind = kind;
        this.defaultInstance = defaultInstance;
        @SuppressWarnings("unchecked")
        Parser<T> p = (Parser<T>) defaultInstance.getParserForType();
        this.parser = p;
        this.maxBytes = maxBytes;
        this.validator = validator;
        var d = defaultInstance.getDescriptorForType();
        this.versionField = d.findFieldByNumber(SCHEMA_VERSION_FIELD);
        this.kindField = d.findFieldByNumber(KIND_FIELD);
        this.deviceIdField = d.findFieldByNumber(DEVICE_ID_FIELD);
    }

    public MessageKind kind() {
        return kind;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /** Stamps schema version and kind (if the caller left them unset) and serialises. */
    public byte[] encode(T message) {
        @SuppressWarnings("unchecked")
        T stamped = (T) stamp(message);
        byte[] bytes = stamped.toByteArray();
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException(kind + " of " + bytes.length + " bytes exceeds the " + maxBytes + "-byte limit");
        }
        return bytes;
    }

    /** The message with schema_version and kind filled in. */
    public T stamp(T message) {
        boolean needVersion = ((Integer) message.getField(versionField)) == 0;
        boolean needKind = message.getField(kindField) != kindField.getEnumType().findValueByNumber(kind.getNumber());
        if (!needVersion && !needKind) {
            return message;
        }
        Message.Builder b = message.toBuilder();
        if (needVersion) {
            b.setField(versionField, Codecs.SCHEMA_VERSION);
        }
        if (needKind) {
            b.setField(kindField, kindField.getEnumType().findValueByNumber(kind.getNumber()));
        }
        @SuppressWarnings("unchecked")
        T built = (T) b.build();
        return built;
    }

    public T decode(byte[] bytes) throws PayloadException {
        if (bytes == null || bytes.length == 0) {
            throw new PayloadException(PayloadException.Reason.EMPTY, "empty " + kind + " payload");
        }
        if (bytes.length > maxBytes) {
            throw new PayloadException(PayloadException.Reason.OVERSIZED,
                    kind + " payload of " + bytes.length + " bytes exceeds the " + maxBytes + "-byte limit");
        }
        // Look at the kind first: another type's fields may also be invalid for this one, and
        // "wrong type" is the more useful diagnosis than whatever parse error that causes.
        int peeked = peekKind(bytes);
        if (peeked > 0 && peeked != kind.getNumber()) {
            MessageKind other = MessageKind.forNumber(peeked);
            throw new PayloadException(PayloadException.Reason.WRONG_TYPE,
                    "expected " + kind + " but payload carries kind " + (other == null ? String.valueOf(peeked) : other.name()));
        }
        T msg;
        try {
            msg = parser.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            boolean truncated = String.valueOf(e.getMessage()).contains("ended unexpectedly");
            throw new PayloadException(truncated ? PayloadException.Reason.TRUNCATED : PayloadException.Reason.MALFORMED,
                    "cannot parse " + kind + " payload of " + bytes.length + " bytes: " + e.getMessage(), e);
        }
        var kindValue = (com.google.protobuf.Descriptors.EnumValueDescriptor) msg.getField(kindField);
        if (kindValue.getNumber() != kind.getNumber()) {
            String got = kindValue.getNumber() == 0 ? "no message kind" : "kind " + kindValue.getName();
            throw new PayloadException(PayloadException.Reason.WRONG_TYPE, "expected " + kind + " but payload carries " + got);
        }
        if (((Integer) msg.getField(versionField)) == 0) {
            throw new PayloadException(PayloadException.Reason.MISSING_VERSION, kind + " payload has no schema_version");
        }
        String idProblem = DeviceId.problem((String) msg.getField(deviceIdField));
        if (idProblem != null) {
            throw new PayloadException(PayloadException.Reason.INVALID_FIELD, kind + ": " + idProblem);
        }
        String problem = validator == null ? null : validator.problem(msg);
        if (problem != null) {
            throw new PayloadException(PayloadException.Reason.INVALID_FIELD, kind + ": " + problem);
        }
        return msg;
    }

    /** The kind field's value, or -1 when the bytes cannot be scanned (the full parse then says why). */
    static int peekKind(byte[] bytes) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        try {
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                if (tag == 0) {
                    return -1;
                }
                if (WireFormat.getTagFieldNumber(tag) == KIND_FIELD && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
                    return in.readEnum();
                }
                if (!in.skipField(tag)) {
                    return -1;
                }
            }
            return 0;
        } catch (IOException e) {
            return -1;
        }
    }

    T defaultInstance() {
        return defaultInstance;
    }
}
