package io.nanofleet.runtime.onnx;

/** An ONNX file the runtime cannot import: unsupported operator or attribute, malformed graph. */
public final class OnnxImportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OnnxImportException(String message) {
        super(message);
    }

    public OnnxImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
