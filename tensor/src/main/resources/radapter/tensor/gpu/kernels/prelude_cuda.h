/*
 * radapter GPU kernel prelude: CUDA C++ (nvcc -ptx, NVRTC).
 *
 * The same kernel files (*.gpu) compile as OpenCL C with prelude_opencl.h, which documents the
 * dialect; this file maps each macro onto CUDA. Kernels are extern "C" so the driver finds them
 * by their source names. Nothing here needs a header: NVRTC compiles it without include paths.
 * Math is full precision as long as the kernels are compiled without --use_fast_math (ISNAN is
 * x != x, which fast math would fold away).
 */

typedef long long i64;
typedef unsigned long long u64;
typedef int i32;
typedef unsigned int u32;
typedef unsigned short u16;

#define KERNEL extern "C" __global__ void
#define FUNC __device__ __forceinline__
#define GLOBAL
#define LOCAL __shared__
#define LOCAL_PTR
#define BARRIER() __syncthreads()

FUNC i64 rk_cuda_gid(int d) {
    return d == 0 ? (i64) blockIdx.x * blockDim.x + threadIdx.x
         : d == 1 ? (i64) blockIdx.y * blockDim.y + threadIdx.y
                  : (i64) blockIdx.z * blockDim.z + threadIdx.z;
}
#define GID(d) rk_cuda_gid(d)
#define LID(d) ((int) ((d) == 0 ? threadIdx.x : (d) == 1 ? threadIdx.y : threadIdx.z))
#define GROUP_ID(d) ((i64) ((d) == 0 ? blockIdx.x : (d) == 1 ? blockIdx.y : blockIdx.z))
#define LOCAL_SIZE(d) ((int) ((d) == 0 ? blockDim.x : (d) == 1 ? blockDim.y : blockDim.z))
#define NUM_GROUPS(d) ((i64) ((d) == 0 ? gridDim.x : (d) == 1 ? gridDim.y : gridDim.z))
#define GLOBAL_SIZE(d) (NUM_GROUPS(d) * LOCAL_SIZE(d))

#define EXP(x) expf(x)
#define LOG(x) logf(x)
#define SQRT(x) sqrtf(x)
#define TANH(x) tanhf(x)
#define ERFC(x) erfcf(x)
#define POW(x, y) powf(x, y)
#define FABS(x) fabsf(x)
#define FMAX(x, y) fmaxf(x, y)
#define FMIN(x, y) fminf(x, y)
#define F32_INF __uint_as_float(0x7f800000u)
#define F32_NAN __uint_as_float(0x7fc00000u)
#define ISNAN(x) ((x) != (x))
#define ISINF(x) (fabsf(x) == F32_INF)
#define ISFINITE(x) (fabsf(x) < F32_INF)
#define AS_FLOAT(u) __uint_as_float((u32) (u))
#define AS_U32(f) __float_as_uint((float) (f))
#define ATOMIC_ADD_F32(p, v) atomicAdd((p), (v))

/* ==== radapter shared helpers ====
 * Everything from this line to the "end of shared helpers" line is identical in every prelude
 * (GpuKernelSourcesTest compares them), because each kernel file must compile with nothing but
 * its dialect's prelude in front of it. It is written in the prelude macros only.
 */

/* Work-group size of every 1-D kernel; local arrays are sized with it. */
#define RADAPTER_WG 256

#define RK_IMIN(a, b) ((a) < (b) ? (a) : (b))

/* Reduction ops (ReduceOp.SUM, MAX, MIN). */
#define RK_SUM 0
#define RK_MAX 1
#define RK_MIN 2

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
/* ==== end of shared helpers ==== */
