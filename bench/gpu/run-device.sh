#!/usr/bin/env bash
# The CUDA checks on a machine with an NVIDIA GPU, in two steps.
#
# 1. Here (a build machine with JDK 25 and Maven; nvcc optional, it puts PTX into the classes):
#      bench/gpu/run-device.sh prepare
#    builds tensor (main + test classes), jlinks .jdk/ (bench/gpu/make-jlink.sh) and stages the test
#    runtime in .device/ (JUnit jars + the small launcher bench/gpu/DeviceTests.java compiled).
#    Carry to the GPU machine: .jdk  .device  tensor/target/classes  tensor/target/test-classes
#
# 2. There (NVIDIA driver, maybe PyTorch; no JDK, Maven or network needed):
#      bash bench/gpu/run-device.sh [test classes...]
#    prints nvidia-smi and the driver/PyTorch versions, then runs the tensor parity suite and the
#    CUDA tests with the real libcuda.so.1 (default classes below; or name classes, or
#    package:NAME), then nvidia-smi again. Exit status: 0 when no test failed. Look for
#    "PASS BackendParityTest ... cuda" lines: a "SKIP" or no cuda line means cuda was unavailable,
#    and the reason is printed.
#
# Environment: SEEDS (parity seeds, default 3), JAVA_OPTS (extra JVM flags), RADAPTER_NVRTC (a
# libnvrtc.so to use when the carried classes lack PTX; by default PyTorch's pip NVRTC is found).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"

if [[ "${1:-}" == "prepare" ]]; then
  set -e
  export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
  ./mvnw -q -o install -pl tensor -DskipTests
  ./mvnw -q -o test-compile -pl tensor
  bench/gpu/make-jlink.sh
  rm -rf .device && mkdir -p .device/lib .device/classes
  ./mvnw -q -o dependency:copy-dependencies -pl tensor -DincludeScope=test -DoutputDirectory="$ROOT/.device/lib"
  JUNIT_VERSION=$(ls .device/lib | sed -n 's/^junit-platform-engine-\(.*\)\.jar$/\1/p' | head -1)
  ./mvnw -q -o dependency:copy -Dartifact="org.junit.platform:junit-platform-launcher:$JUNIT_VERSION" \
    -DoutputDirectory="$ROOT/.device/lib"
  "$JAVA_HOME/bin/javac" -d .device/classes -cp ".device/lib/*" bench/gpu/DeviceTests.java
  PTX=$(ls tensor/target/classes/radapter/tensor/gpu/ptx/*.ptx 2>/dev/null | wc -l)
  echo "prepare: .jdk $(du -sh .jdk | cut -f1), .device $(du -sh .device | cut -f1), classes $(du -sh tensor/target/classes | cut -f1), $PTX PTX file(s) built in"
  echo "prepare: carry .jdk .device tensor/target/classes tensor/target/test-classes; run: bash bench/gpu/run-device.sh"
  exit 0
fi

JAVA="$ROOT/.jdk/bin/java"
if [[ ! -x "$JAVA" ]]; then
  JAVA="$(command -v java || true)"
fi
for need in "$JAVA" .device/classes tensor/target/classes tensor/target/test-classes; do
  if [[ -z "$need" || ! -e "$need" ]]; then
    echo "run-device: missing ${need:-java}; run 'bench/gpu/run-device.sh prepare' on the build machine and carry its outputs" >&2
    exit 2
  fi
done

echo "=== nvidia-smi (before)"
nvidia-smi || echo "run-device: nvidia-smi failed"
echo "=== driver library"
ldconfig -p 2>/dev/null | grep -E 'libcuda\.so\.1|libnvrtc' || echo "(ldconfig lists no libcuda.so.1)"
echo "=== PyTorch"
python3 - <<'PY' 2>/dev/null || echo "(no python3/PyTorch)"
import torch
print("torch", torch.__version__, "CUDA", torch.version.cuda, "available", torch.cuda.is_available(),
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
PY

# NVRTC: only needed when a kernel has no PTX built in; PyTorch's wheels ship one.
NVRTC="${RADAPTER_NVRTC:-}"
if [[ -z "$NVRTC" ]]; then
  NVRTC=$(python3 - <<'PY' 2>/dev/null
import glob, os, importlib
for mod in ("nvidia.cuda_nvrtc", "nvidia.cu13", "nvidia.cu12", "nvidia"):
    try:
        m = importlib.import_module(mod)
    except Exception:
        continue
    for base in list(getattr(m, "__path__", [])):
        hits = sorted(glob.glob(os.path.join(base, "**", "libnvrtc.so*"), recursive=True))
        hits = [h for h in hits if "builtins" not in h]
        if hits:
            print(hits[0]); raise SystemExit
PY
)
fi
NVRTC_FLAG=()
if [[ -n "$NVRTC" ]]; then
  echo "=== NVRTC: $NVRTC"
  NVRTC_FLAG=("-Dradapter.nvrtc=$NVRTC")
fi

CP="tensor/target/test-classes:tensor/target/classes:.device/classes:.device/lib/*"
CLASSES=("$@")
if [[ ${#CLASSES[@]} -eq 0 ]]; then
  # The parity suite (cuda against reference, next to cpu and any OpenCL device), the real-device
  # checks, and the binding tests (fast; they use the fake driver and need no GPU).
  CLASSES=(radapter.tensor.BackendParityTest radapter.tensor.cuda.CudaDeviceTest radapter.tensor.cuda.CudaBackendTest
    radapter.tensor.cuda.CudaApiTest radapter.tensor.cuda.CudaDriverTest radapter.tensor.cuda.PtxImagesTest
    radapter.tensor.cuda.CudaKernelFilesTest)
fi
echo "=== tests: ${CLASSES[*]} (java: $JAVA)"
# shellcheck disable=SC2086
"$JAVA" @jvm.options -Xmx8g ${JAVA_OPTS:-} "${NVRTC_FLAG[@]}" \
  -Dradapter.parity.seeds="${SEEDS:-3}" -Dradapter.shared="$ROOT/../shared" \
  -cp "$CP" DeviceTests "${CLASSES[@]}"
STATUS=$?

echo "=== nvidia-smi (after)"
nvidia-smi --query-gpu=name,driver_version,memory.used,memory.total,utilization.gpu --format=csv || true
exit $STATUS
