package io.nanofleet.runtime.onnx;

import com.google.protobuf.ByteString;
import io.nanofleet.runtime.onnx.proto.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Conversions between ONNX TensorProto and Java arrays (raw_data little-endian or typed fields). */
final class OnnxTensors {
    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    static final int UINT8 = TensorProto.DataType.UINT8_VALUE;
    static final int INT8 = TensorProto.DataType.INT8_VALUE;
    static final int INT32 = TensorProto.DataType.INT32_VALUE;
    static final int INT64 = TensorProto.DataType.INT64_VALUE;

    private OnnxTensors() {
    }

    static TensorProto floats(String name, float[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) {
            b.putFloat(f);
        }
        return raw(name, FLOAT, b.array(), dims);
    }

    static TensorProto int64s(String name, long[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : data) {
            b.putLong(v);
        }
        return raw(name, INT64, b.array(), dims);
    }

    static TensorProto int32s(String name, int[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : data) {
            b.putInt(v);
        }
        return raw(name, INT32, b.array(), dims);
    }

    static TensorProto int8s(String name, byte[] data, long... dims) {
        return raw(name, INT8, data, dims);
    }

    static TensorProto uint8s(String name, byte[] data, long... dims) {
        return raw(name, UINT8, data, dims);
    }

    private static TensorProto raw(String name, int type, byte[] bytes, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(bytes));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    static long elementCount(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            if (d < 0) {
                throw new OnnxImportException("tensor '" + t.getName() + "' has a negative dimension");
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Any numeric tensor as doubles (exact for every type the runtime imports). */
    static double[] toDoubles(TensorProto t) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new OnnxImportException("tensor '" + t.getName() + "' uses external data, which is not supported");
        }
        long count = elementCount(t);
        if (count > io.nanofleet.runtime.ir.Graph.MAX_ELEMENTS) {
            throw new OnnxImportException("tensor '" + t.getName() + "' has " + count + " elements, over the limit");
        }
        int n = (int) count;
        int type = t.getDataType();
        double[] out = new double[n];
        if (!t.getRawData().isEmpty()) {
            int width = switch (type) {
                case 1, 6 -> 4;
                case 2, 3 -> 1;
                case 7 -> 8;
                case 11 -> 8;
                default -> throw new OnnxImportException("tensor '" + t.getName() + "' has unsupported data type " + type);
            };
            if (t.getRawData().size() != (long) n * width) {
                throw new OnnxImportException("tensor '" + t.getName() + "' raw data has " + t.getRawData().size()
                        + " bytes, expected " + (long) n * width);
            }
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = switch (type) {
                    case 1 -> b.getFloat();
                    case 6 -> b.getInt();
                    case 2 -> b.get() & 0xFF;
                    case 3 -> b.get();
                    case 7 -> b.getLong();
                    default -> b.getDouble();
                };
            }
            return out;
        }
        int have = switch (type) {
            case 1 -> t.getFloatDataCount();
            case 2, 3, 6 -> t.getInt32DataCount();
            case 7 -> t.getInt64DataCount();
            case 11 -> t.getDoubleDataCount();
            default -> throw new OnnxImportException("tensor '" + t.getName() + "' has unsupported data type " + type);
        };
        if (have != n) {
            throw new OnnxImportException("tensor '" + t.getName() + "' holds " + have + " values, its shape says " + n);
        }
        for (int i = 0; i < n; i++) {
            out[i] = switch (type) {
                case 1 -> t.getFloatData(i);
                case 2, 3, 6 -> t.getInt32Data(i);
                case 7 -> t.getInt64Data(i);
                default -> t.getDoubleData(i);
            };
        }
        return out;
    }
}
