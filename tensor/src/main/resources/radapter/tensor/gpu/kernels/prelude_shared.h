/*
 * radapter GPU kernel prelude: the helpers every dialect shares, written in the dialect's macros
 * only. KernelSources.prelude puts it behind the dialect's own prelude (prelude_opencl.h or
 * prelude_cuda.h) and the op codes that OpCodes generates from the Java enums (U_*, B_*, RK_SUM,
 * RK_MAX, RK_MIN, GEMM_*, LN_*, and RADAPTER_WG, the work-group size of every 1-D kernel), so each
 * kernel file compiles with nothing but that prelude in front of it.
 */

#define RK_IMIN(a, b) ((a) < (b) ? (a) : (b))

/*
 * Strided layouts. A layout in a meta buffer is {r, shape[r], strides of operand 0 [r],
 * strides of operand 1 [r], ...}, all i64 and in elements. rk_offsets turns the row-major
 * position `linear` of the shape into the element offset of every operand. r may be 0 (one
 * element, every offset 0).
 */
FUNC void rk_offsets(GLOBAL const i64* meta, int operands, i64 linear, i64* off) {
    int r = (int) meta[0];
    for (int k = 0; k < operands; k++) {
        off[k] = 0;
    }
    for (int d = r - 1; d >= 0; d--) {
        i64 n = meta[1 + d];
        i64 c = linear % n;
        linear /= n;
        for (int k = 0; k < operands; k++) {
            off[k] += c * meta[1 + (i64) r * (k + 1) + d];
        }
    }
}

/* Number of i64 words of a layout with `operands` operands starting at meta. */
FUNC i64 rk_layout_words(GLOBAL const i64* meta, int operands) {
    return 1 + meta[0] * (operands + 1);
}

/* Value a reduction over nothing starts from. */
FUNC float rk_identity(int op) {
    return op == RK_SUM ? 0.0f : (op == RK_MAX ? -F32_INF : F32_INF);
}

/* Folds b into a; NaN wins for max and min, like ReduceOp.combine. */
FUNC float rk_combine(int op, float a, float b) {
    if (op == RK_SUM) {
        return a + b;
    }
    if (ISNAN(a) || ISNAN(b)) {
        return F32_NAN;
    }
    return op == RK_MAX ? FMAX(a, b) : FMIN(a, b);
}

/*
 * Compensated (Kahan) summation step: sum += x with the rounding error carried in *comp. Once the
 * sum is not finite the compensation is dropped, so inf and NaN propagate exactly as in a plain sum.
 */
FUNC void rk_kahan(float* sum, float* comp, float x) {
    float y = x - *comp;
    float t = *sum + y;
    *comp = ISFINITE(t) ? (t - *sum) - y : 0.0f;
    *sum = t;
}

/* Combines one value per work-item of a 1-D group of RADAPTER_WG; every work-item gets the result. */
FUNC float rk_group_reduce(LOCAL_PTR float* scratch, float v, int op) {
    int lid = LID(0);
    scratch[lid] = v;
    BARRIER();
    for (int s = RADAPTER_WG / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] = rk_combine(op, scratch[lid], scratch[lid + s]);
        }
        BARRIER();
    }
    float r = scratch[0];
    BARRIER();
    return r;
}
