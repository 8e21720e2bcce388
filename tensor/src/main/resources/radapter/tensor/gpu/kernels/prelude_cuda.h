/*
 * radapter GPU kernel prelude: CUDA C++ (nvcc -ptx, NVRTC).
 *
 * The same kernel files (*.gpu) compile as OpenCL C with prelude_opencl.h, which documents the
 * dialect; this file maps each macro onto CUDA. The generated op codes and prelude_shared.h follow
 * it, as they follow the OpenCL prelude. Kernels are extern "C" so the driver finds them
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
