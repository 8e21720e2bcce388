/*
 * radapter GPU kernel prelude: OpenCL C 1.2.
 *
 * Kernel files (*.gpu next to this header) are written once in a small macro dialect and compiled
 * as OpenCL C with this prelude in front, or as CUDA with prelude_cuda.h in front; either way the
 * op codes generated from the Java enums (radapter.tensor.gpu.OpCodes) and the helpers of
 * prelude_shared.h follow (see KernelSources.prelude). The dialect:
 *
 *   KERNEL name(args)   a kernel entry point (returns nothing)
 *   FUNC                a helper function (file-local, inlined)
 *   GLOBAL              qualifier of a pointer into device global memory (kernel and helper params)
 *   LOCAL               declares work-group ("shared") memory, only at kernel scope
 *   LOCAL_PTR           qualifier of a helper parameter that points to work-group memory
 *   BARRIER()           work-group barrier over local memory
 *   GID(d) LID(d) GROUP_ID(d) LOCAL_SIZE(d) NUM_GROUPS(d) GLOBAL_SIZE(d)
 *                       OpenCL's get_global_id etc.; GID, GROUP_ID, NUM_GROUPS and GLOBAL_SIZE
 *                       are i64, LID and LOCAL_SIZE int
 *   i32 i64 u16 u32 u64 fixed-width integers (OpenCL's long is 64-bit, CUDA's is not everywhere)
 *   EXP LOG SQRT TANH ERFC POW FABS FMAX FMIN   single-precision math, full accuracy (no native_)
 *   ISNAN ISINF ISFINITE F32_INF F32_NAN AS_FLOAT(u32) AS_U32(float)
 *   ATOMIC_ADD_F32(p, v)   atomic float add to global memory
 *
 * Conventions every kernel follows: a tensor argument is a buffer plus an element offset (never
 * an interior pointer: OpenCL buffers have no host-side pointer arithmetic); launch sizes are
 * rounded up to the group size by the driver, so kernels bounds-check or loop over their range
 * with a grid stride; 1-D kernels run in groups of RADAPTER_WG work-items.
 */

typedef long i64;
typedef ulong u64;
typedef int i32;
typedef uint u32;
typedef ushort u16;

#define KERNEL __kernel void
#define FUNC static inline
#define GLOBAL __global
#define LOCAL __local
#define LOCAL_PTR __local
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)

#define GID(d) ((i64) get_global_id(d))
#define LID(d) ((int) get_local_id(d))
#define GROUP_ID(d) ((i64) get_group_id(d))
#define LOCAL_SIZE(d) ((int) get_local_size(d))
#define NUM_GROUPS(d) ((i64) get_num_groups(d))
#define GLOBAL_SIZE(d) ((i64) get_global_size(d))

#define EXP(x) exp(x)
#define LOG(x) log(x)
#define SQRT(x) sqrt(x)
#define TANH(x) tanh(x)
#define ERFC(x) erfc(x)
#define POW(x, y) pow(x, y)
#define FABS(x) fabs(x)
#define FMAX(x, y) fmax(x, y)
#define FMIN(x, y) fmin(x, y)
#define ISNAN(x) isnan(x)
#define ISINF(x) isinf(x)
#define ISFINITE(x) isfinite(x)
#define F32_INF INFINITY
#define F32_NAN NAN
#define AS_FLOAT(u) as_float((u32) (u))
#define AS_U32(f) as_uint((float) (f))

/* OpenCL 1.2 has no float atomics: a compare-and-swap loop on the bits (no update is lost). */
FUNC void rk_atomic_add_f32(GLOBAL float* p, float v) {
    volatile GLOBAL u32* bits = (volatile GLOBAL u32*) p;
    u32 seen = *bits;
    u32 expected;
    do {
        expected = seen;
        seen = atomic_cmpxchg(bits, expected, as_uint(as_float(expected) + v));
    } while (seen != expected);
}
#define ATOMIC_ADD_F32(p, v) rk_atomic_add_f32((p), (v))
