package radapter.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scalar element access for every dtype: the slow, obviously correct path used by the reference
 * backend, conversions and {@code toString}. Layouts are unaligned because mapped checkpoints place
 * tensors at arbitrary byte offsets.
 */
public final class Elements {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private Elements() {
    }

    /** Reads element {@code index} (in elements, not bytes) of a segment holding {@code dtype}. */
    public static double read(DType dtype, MemorySegment seg, long index) {
        return switch (dtype) {
            case F32 -> seg.getAtIndex(F32, index);
            case F64 -> seg.getAtIndex(F64, index);
            case F16 -> Float.float16ToFloat(seg.getAtIndex(I16, index));
            case BF16 -> bf16ToFloat(seg.getAtIndex(I16, index));
            case I32 -> seg.getAtIndex(I32, index);
            case I64 -> seg.getAtIndex(I64, index);
        };
    }

    /** Reads an integer element exactly (I32, I64, or an integral float). */
    public static long readLong(DType dtype, MemorySegment seg, long index) {
        return switch (dtype) {
            case I32 -> seg.getAtIndex(I32, index);
            case I64 -> seg.getAtIndex(I64, index);
            default -> (long) read(dtype, seg, index);
        };
    }

    /**
     * Writes {@code value} as {@code dtype}: floats round to nearest even, integers truncate
     * toward zero like a C cast.
     */
    public static void write(DType dtype, MemorySegment seg, long index, double value) {
        switch (dtype) {
            case F32 -> seg.setAtIndex(F32, index, (float) value);
            case F64 -> seg.setAtIndex(F64, index, value);
            case F16 -> seg.setAtIndex(I16, index, Float.floatToFloat16((float) value));
            case BF16 -> seg.setAtIndex(I16, index, floatToBf16((float) value));
            case I32 -> seg.setAtIndex(I32, index, (int) value);
            case I64 -> seg.setAtIndex(I64, index, (long) value);
        }
    }

    /** Writes an integer exactly (no detour through double for I64). */
    public static void writeLong(DType dtype, MemorySegment seg, long index, long value) {
        switch (dtype) {
            case I32 -> seg.setAtIndex(I32, index, (int) value);
            case I64 -> seg.setAtIndex(I64, index, value);
            default -> write(dtype, seg, index, value);
        }
    }

    /** bfloat16 is the upper half of a float32. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Round-to-nearest-even truncation of a float32 to bfloat16; NaN stays NaN. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
