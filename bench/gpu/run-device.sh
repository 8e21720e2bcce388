#!/usr/bin/env bash
# The CUDA checks and the CLIP benchmark on a machine with an NVIDIA GPU, in two steps.
#
# 1. Here (a build machine with JDK 25 and Maven; nvcc optional, it puts PTX into the classes):
#      bash bench/gpu/run-device.sh prepare
#    builds tensor, autograd, models, data, adapters and bench, jlinks .jdk/ (bench/gpu/make-jlink.sh)
#    and stages in .device/ everything a run needs: the modules' class folders (.device/mod/*; of
#    bench only ClipBench), the tensor test classes, the JUnit jars, the small launcher
#    bench/gpu/DeviceTests.java compiled, and this machine's OpenCL ICD loader (in case the GPU
#    machine has none). It prints the total size and the device tool's exact carry list and command.
#
# 2. There (NVIDIA driver and PyTorch; no JDK, Maven or network needed):
#      bash bench/gpu/run-device.sh [test classes...]
#    prints nvidia-smi and the driver/PyTorch versions, then, in one time budget (RUN_BUDGET
#    seconds, default 540: it fits one 10-minute command):
#      a. the tensor parity suite and the CUDA tests with the real libcuda.so.1 (default classes
#         below; or name classes, or package:NAME). Look for "PASS BackendParityTest ... cuda"
#         lines: a "SKIP" or no cuda line means cuda was unavailable, and the reason is printed;
#      b. ClipBench on cuda: ViT-B/16 forward at image batch 64 (and 1), text at 64, one R-Adapter
#         training step at batch 32, kernel families (4096³ matmul, softmax, layer norm), reps 3;
#      c. the PyTorch peer on the same card (fp32, TF32 off), same shapes;
#      d. a ratio table radapter / PyTorch (throughput; times and memory inverted, so > 1 is better);
#      e. ClipBench on opencl when an OpenCL platform shows up (NVIDIA's ICD is registered on the
#         fly when the driver ships libnvidia-opencl.so.1), against the same PyTorch figures.
#    Each step gets a share of what is left (ClipBench and the peer cut their repetitions and skip
#    workloads that would not fit, and a hard `timeout` stops a step that hangs); figures are
#    printed as they come. On a machine without an NVIDIA GPU the CUDA steps are skipped with the
#    reason, and the OpenCL smoke path (--config tiny) runs instead when OpenCL is there.
#    Logs go to RESULTS_DIR (default /tmp/radapter-device); the summary and the JSON figures are
#    copied to $OUT when it is set (the device tool brings back at most 8 files from there).
#    Exit status: 0 when no test failed and the CUDA benchmark ran, 1 when a test failed, 3 when
#    there was no CUDA device (the rest still ran), 4 when the CUDA benchmark failed.
#
# Environment: SEEDS (parity seeds, default 3), JAVA_OPTS (extra JVM flags), RADAPTER_NVRTC (a
# libnvrtc.so to use when the carried classes lack PTX; by default PyTorch's pip NVRTC is found),
# RUN_BUDGET (seconds, default 540), TEST_BUDGET (seconds for step a, default 150; 0 skips it),
# IMAGE_BATCH (64), TRAIN_BATCH (32), REPS (3).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
# The device tool's limits: at most 8 carried paths and 64 MiB for everything that travels.
CARRY=(.jdk .device)
LIMIT_BYTES=$((64 * 1024 * 1024))

if [[ "${1:-}" == "prepare" ]]; then
  set -e
  export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
  MVN="${MVN:-$(command -v mvn || echo ./mvnw)}"
  # No -Dradapter.ptx.skip: with nvcc on the PATH the CUDA kernels are built to PTX into the classes.
  "$MVN" -q -o install -pl tensor,autograd,models,data,adapters,bench -DskipTests
  "$MVN" -q -o test-compile -pl tensor
  bench/gpu/make-jlink.sh
  rm -rf .device && mkdir -p .device/lib .device/classes .device/mod .device/native
  "$MVN" -q -o dependency:copy-dependencies -pl tensor -DincludeScope=test -DoutputDirectory="$ROOT/.device/lib"
  # ojAlgo is a test peer of the tensor module's benchmarks-style tests, not needed by the device tests.
  rm -f .device/lib/ojalgo-*.jar
  JUNIT_VERSION=$(ls .device/lib | sed -n 's/^junit-platform-engine-\(.*\)\.jar$/\1/p' | head -1)
  "$MVN" -q -o dependency:copy -Dartifact="org.junit.platform:junit-platform-launcher:$JUNIT_VERSION" \
    -DoutputDirectory="$ROOT/.device/lib"
  "$JAVA_HOME/bin/javac" -d .device/classes -cp ".device/lib/*" bench/gpu/DeviceTests.java
  # Class folders instead of the shaded benchmarks jar (10+ MB of JMH and ojAlgo that ClipBench never loads).
  for m in tensor autograd models data adapters; do
    cp -r "$m/target/classes" ".device/mod/$m"
  done
  cp -r tensor/target/test-classes .device/mod/tensor-test
  mkdir -p .device/mod/bench/radapter/bench/e2e
  cp bench/target/classes/radapter/bench/e2e/ClipBench*.class .device/mod/bench/radapter/bench/e2e/
  # The OpenCL ICD loader, for a GPU machine whose driver has NVIDIA's OpenCL library but no loader.
  OCL=$(ldconfig -p 2>/dev/null | sed -n 's/.*libOpenCL\.so\.1 (libc6,x86-64) => //p' | head -1)
  if [[ -n "$OCL" ]]; then
    cp -L "$OCL" .device/native/libOpenCL.so.1
  fi
  # Smoke check of the staged class path with the jlinked runtime: it must list the backends.
  .jdk/bin/java @jvm.options -cp ".device/mod/bench:.device/mod/adapters:.device/mod/data:.device/mod/models:.device/mod/autograd:.device/mod/tensor" \
    radapter.bench.e2e.ClipBench --devices 2>/dev/null | sed 's/^/prepare: staged runtime sees: /'
  PTX=$(ls .device/mod/tensor/radapter/tensor/gpu/ptx/*.ptx 2>/dev/null | wc -l)
  CARRIED=$(du -scb "${CARRY[@]}" | tail -1 | cut -f1)
  TREE=$(git ls-files -co --exclude-standard -z | du --files0-from=- -cb 2>/dev/null | tail -1 | cut -f1)
  TOTAL=$((CARRIED + TREE))
  mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
  echo "prepare: .jdk $(du -sh .jdk | cut -f1), .device $(du -sh .device | cut -f1) (classes $(du -sh .device/mod | cut -f1), jars $(du -sh .device/lib | cut -f1)), $PTX PTX file(s) built in"
  echo "prepare: carried $(mib "$CARRIED") + working tree $(mib "$TREE") = $(mib "$TOTAL") of the 64 MiB limit, ${#CARRY[@]} of 8 carry paths"
  if (( TOTAL > LIMIT_BYTES )); then
    echo "prepare: TOO BIG for the device tool (64 MiB): drop JLINK_EXTRA_MODULES or untracked files" >&2
    exit 1
  fi
  if (( PTX == 0 )); then
    echo "prepare: note: no PTX built in (nvcc missing?); the run will compile kernels with PyTorch's NVRTC"
  fi
  echo "prepare: device tool call: run(carry=[\"${CARRY[0]}\", \"${CARRY[1]}\"], timeout_s=600, command=\"set -o pipefail; bash bench/gpu/run-device.sh 2>&1 | tee \$OUT/run.log\")"
  exit 0
fi

START=$SECONDS
BUDGET="${RUN_BUDGET:-540}"
left() { echo $((BUDGET - (SECONDS - START))); }
# Work files here; at the end the summary and the JSON figures are copied to $OUT (the device tool
# brings back at most 8 files: run.log from the tee in the prepared command, plus these).
RESULTS="${RESULTS_DIR:-/tmp/radapter-device}"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
IMAGE_BATCH="${IMAGE_BATCH:-64}"
TRAIN_BATCH="${TRAIN_BATCH:-32}"
REPS="${REPS:-3}"

JAVA="$ROOT/.jdk/bin/java"
if [[ ! -x "$JAVA" ]]; then
  JAVA="$(command -v java || true)"
fi
for need in "$JAVA" .device/classes .device/mod/tensor .device/mod/tensor-test .device/mod/bench; do
  if [[ -z "$need" || ! -e "$need" ]]; then
    echo "run-device: missing ${need:-java}; run 'bash bench/gpu/run-device.sh prepare' on the build machine and carry ${CARRY[*]}" >&2
    exit 2
  fi
done
BENCH_CP=".device/mod/bench:.device/mod/adapters:.device/mod/data:.device/mod/models:.device/mod/autograd:.device/mod/tensor"
TEST_CP=".device/mod/tensor-test:.device/mod/tensor:.device/classes:.device/lib/*"

echo "=== nvidia-smi (before)"
nvidia-smi 2>/dev/null || echo "run-device: nvidia-smi failed or is missing (no NVIDIA driver here?)"
echo "=== driver library"
HAVE_CUDA=1
if ! ldconfig -p 2>/dev/null | grep -E 'libcuda\.so\.1|libnvrtc'; then
  echo "(ldconfig lists no libcuda.so.1)"
  if ! ls /usr/local/nvidia/lib64/libcuda.so.1 /usr/lib/x86_64-linux-gnu/libcuda.so.1 >/dev/null 2>&1; then
    HAVE_CUDA=0
  fi
fi
echo "=== PyTorch"
TORCH_CUDA=0
python3 - <<'PY' 2>/dev/null && TORCH_CUDA=1 || echo "(no python3/PyTorch with CUDA)"
import torch
print("torch", torch.__version__, "CUDA", torch.version.cuda, "available", torch.cuda.is_available(),
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
raise SystemExit(0 if torch.cuda.is_available() else 1)
PY

# NVRTC: only needed when a kernel has no PTX built in; PyTorch's wheels ship one.
NVRTC="${RADAPTER_NVRTC:-}"
if [[ -z "$NVRTC" && $HAVE_CUDA == 1 ]]; then
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
JFLAGS=()
if [[ -n "$NVRTC" ]]; then
  echo "=== NVRTC: $NVRTC"
  JFLAGS+=("-Dradapter.nvrtc=$NVRTC")
fi

# OpenCL: NVIDIA's driver may ship libnvidia-opencl.so.1 without an ICD loader or vendor file.
if ! ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so\.1' && [[ -f .device/native/libOpenCL.so.1 ]]; then
  JFLAGS+=("-Dradapter.opencl.library=$ROOT/.device/native/libOpenCL.so.1")
fi
NV_OCL=$( (ldconfig -p 2>/dev/null | sed -n 's/.*libnvidia-opencl\.so\.1 .*=> //p'; ls /usr/local/nvidia/lib64/libnvidia-opencl.so.1 2>/dev/null) | head -1)
if [[ -n "$NV_OCL" ]] && ! grep -qs nvidia /etc/OpenCL/vendors/*.icd; then
  mkdir -p /tmp/radapter-icd
  for f in /etc/OpenCL/vendors/*.icd; do [[ -f "$f" ]] && cp "$f" /tmp/radapter-icd/; done
  echo "$NV_OCL" > /tmp/radapter-icd/nvidia.icd
  export OCL_ICD_VENDORS=/tmp/radapter-icd
  echo "=== OpenCL: registered NVIDIA's ICD $NV_OCL"
fi

# shellcheck disable=SC2086
JAVA_RUN=("$JAVA" @jvm.options -Xmx16g ${JAVA_OPTS:-} "${JFLAGS[@]}")
echo "=== backends"
"${JAVA_RUN[@]}" -cp "$BENCH_CP" radapter.bench.e2e.ClipBench --devices 2>/dev/null | tee "$RESULTS/backends.txt"
grep -q '^available cuda ' "$RESULTS/backends.txt" || HAVE_CUDA=0
OPENCL_LINE=$(grep '^available opencl ' "$RESULTS/backends.txt" || true)

STATUS=0
TEST_BUDGET="${TEST_BUDGET:-150}"
CLASSES=("$@")
if [[ ${#CLASSES[@]} -eq 0 ]]; then
  # The parity suite (cuda against reference, next to cpu and any OpenCL device), the real-device
  # checks, and the binding tests (fast; they use the fake driver and need no GPU).
  CLASSES=(radapter.tensor.BackendParityTest radapter.tensor.cuda.CudaDeviceTest radapter.tensor.cuda.CudaBackendTest
    radapter.tensor.cuda.CudaApiTest radapter.tensor.cuda.CudaDriverTest radapter.tensor.cuda.PtxImagesTest
    radapter.tensor.cuda.CudaKernelFilesTest)
fi
if (( TEST_BUDGET > 0 )); then
  T=$(( TEST_BUDGET < $(left) ? TEST_BUDGET : $(left) ))
  echo "=== tests (at most ${T} s): ${CLASSES[*]} (java: $JAVA)"
  timeout -k 5 "$T" "${JAVA_RUN[@]}" -Xmx8g -Dradapter.parity.seeds="${SEEDS:-3}" -Dradapter.shared="$ROOT/../shared" \
    -cp "$TEST_CP" DeviceTests "${CLASSES[@]}" 2>&1 | tee "$RESULTS/tests.log"
  TS=${PIPESTATUS[0]}
  if (( TS == 124 || TS == 137 )); then
    echo "run-device: tests stopped after ${T} s (TEST_BUDGET); the lines above are what finished"
  elif (( TS != 0 )); then
    STATUS=1
  fi
else
  echo "=== tests: skipped (TEST_BUDGET=0)"
fi

# Runs ClipBench: clipbench NAME SECONDS ARGS... ; the JSON line lands in $RESULTS/NAME.json.
clipbench() {
  local name=$1 secs=$2
  shift 2
  echo "=== ClipBench $* (at most ${secs} s)"
  timeout -k 5 "$secs" "${JAVA_RUN[@]}" -cp "$BENCH_CP" radapter.bench.e2e.ClipBench "$@" \
    --time-budget $((secs > 60 ? secs - 40 : secs * 2 / 3)) 2>&1 | tee "$RESULTS/$name.log"
  local rc=${PIPESTATUS[0]}
  sed -n 's/^radapter //p' "$RESULTS/$name.log" | tail -1 > "$RESULTS/$name.json"
  (( rc == 124 || rc == 137 )) && echo "run-device: ClipBench $name stopped after ${secs} s; partial figures above"
  [[ -s "$RESULTS/$name.json" ]]
}

# Ratio table: ratio OURS.json THEIRS.json TITLE
ratio() {
  python3 - "$1" "$2" "$3" <<'PY' | tee -a "$RESULTS/summary.txt"
import json, sys
def load(p):
    try:
        return json.loads(open(p).read().strip().splitlines()[-1])
    except Exception:
        return {}
ours, theirs, title = load(sys.argv[1]), load(sys.argv[2]), sys.argv[3]
print(f"\n{title}")
print(f"  radapter: {ours.get('device_description', ours.get('device', '?'))}")
print(f"  pytorch:  {theirs.get('torch', '(no figures)')} {theirs.get('device_name', '')} {theirs.get('precision', '')}")
keys = [k for k, v in ours.items() if isinstance(v, (int, float))]
w = max([28] + [len(k) for k in keys])
print(f"  {'workload':<{w}} {'radapter':>14} {'pytorch':>14} {'ratio':>8}")
for k in keys:
    a, b = ours[k], theirs.get(k)
    r = ""
    if isinstance(b, (int, float)) and b > 0 and a > 0:
        r = f"{(a / b if 'per_s' in k else b / a):.2f}"
    bs = f"{b:.3f}" if isinstance(b, (int, float)) else "-"
    print(f"  {k:<{w}} {a:>14.3f} {bs:>14} {r:>8}")
print("  (ratio = radapter / PyTorch throughput, or PyTorch / radapter time and memory: > 1 means radapter is better;"
      " the goal is >= 0.5 on image, text and train)")
for s in (ours.get("skipped"), theirs.get("skipped")):
    if s:
        print(f"  skipped for time: {s}")
PY
}

ARGS=(--image-batch "$IMAGE_BATCH" --train-batch "$TRAIN_BATCH" --reps "$REPS" --kernels --no-peer)
if (( HAVE_CUDA == 1 )); then
  # Share what is left: ClipBench cuda ~45 %, the peer ~25 %, OpenCL the rest.
  L=$(left)
  if ! clipbench clipbench-cuda $((L * 45 / 100)) --device cuda "${ARGS[@]}"; then
    echo "run-device: ClipBench on cuda produced no figures (see $RESULTS/clipbench-cuda.log)"
    (( STATUS == 0 )) && STATUS=4
  fi
  if (( TORCH_CUDA == 1 && $(left) > 30 )); then
    T=$(( $(left) * 50 / 100 > 60 ? $(left) * 50 / 100 : $(left) - 5 ))
    echo "=== PyTorch peer on cuda (at most ${T} s)"
    PYTHONUNBUFFERED=1 timeout -k 5 "$T" python3 bench/peers/torch_clip.py --device cuda --image-batch "$IMAGE_BATCH" \
      --train-batch "$TRAIN_BATCH" --reps "$REPS" --kernels --time-budget $((T > 60 ? T - 20 : T * 2 / 3)) \
      > "$RESULTS/torch-cuda.json" 2> >(tee "$RESULTS/torch-cuda.log" >&2)
    cat "$RESULTS/torch-cuda.json"
  else
    echo "run-device: PyTorch peer skipped ($( (( TORCH_CUDA == 1 )) && echo 'no time left' || echo 'no PyTorch with CUDA'))"
  fi
  ratio "$RESULTS/clipbench-cuda.json" "$RESULTS/torch-cuda.json" "radapter cuda vs PyTorch cuda (fp32), ViT-B/16, image batch $IMAGE_BATCH, train batch $TRAIN_BATCH"
  if [[ -n "$OPENCL_LINE" && $(left) -gt 60 ]]; then
    if [[ "$OPENCL_LINE" == *NVIDIA* ]]; then
      clipbench clipbench-opencl $(( $(left) - 10 )) --device opencl "${ARGS[@]}" || echo "run-device: ClipBench on opencl produced no figures"
      ratio "$RESULTS/clipbench-opencl.json" "$RESULTS/torch-cuda.json" "radapter opencl vs PyTorch cuda (fp32), same card"
    else
      echo "run-device: OpenCL skipped: its device is not the NVIDIA GPU ($OPENCL_LINE)"
    fi
  else
    echo "run-device: OpenCL skipped: $( [[ -z "$OPENCL_LINE" ]] && echo 'no OpenCL platform found' || echo 'no time left')"
  fi
else
  echo "=== CUDA: skipped: no CUDA device here ($(grep '^unavailable cuda' "$RESULTS/backends.txt" | cut -d' ' -f3- || echo 'no cuda backend'))"
  if [[ -n "$OPENCL_LINE" && $(left) -gt 30 ]]; then
    echo "=== OpenCL smoke path (--config tiny; its figures say nothing about performance)"
    T=$(( $(left) - 5 ))
    clipbench clipbench-opencl-tiny "$T" --device opencl --config tiny --reps 1 --kernels --no-peer \
      || echo "run-device: ClipBench tiny on opencl produced no figures"
    if python3 -c "import torch" 2>/dev/null && (( $(left) > 20 )); then
      PYTHONUNBUFFERED=1 timeout -k 5 $(( $(left) - 5 )) python3 bench/peers/torch_clip.py --config tiny --reps 1 --kernels \
        --threads "$(nproc)" > "$RESULTS/torch-cpu-tiny.json" 2>/dev/null
    elif /usr/bin/python3 -c "import torch" 2>/dev/null && (( $(left) > 20 )); then
      PYTHONUNBUFFERED=1 timeout -k 5 $(( $(left) - 5 )) /usr/bin/python3 bench/peers/torch_clip.py --config tiny --reps 1 --kernels \
        --threads "$(nproc)" > "$RESULTS/torch-cpu-tiny.json" 2>/dev/null
    fi
    ratio "$RESULTS/clipbench-opencl-tiny.json" "$RESULTS/torch-cpu-tiny.json" "smoke: radapter opencl (tiny config) vs PyTorch cpu"
  else
    echo "run-device: OpenCL smoke path skipped: $( [[ -z "$OPENCL_LINE" ]] && echo 'no OpenCL platform found' || echo 'no time left')"
  fi
  (( STATUS == 0 )) && STATUS=3
fi

echo "=== nvidia-smi (after)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.used,memory.total,utilization.gpu --format=csv || true
if [[ -n "${OUT:-}" && -d "${OUT:-}" ]]; then
  cp "$RESULTS"/summary.txt "$RESULTS"/clipbench-*.json "$RESULTS"/torch-*.json "$OUT"/ 2>/dev/null
fi
echo "run-device: took $((SECONDS - START)) s of the ${BUDGET} s budget; logs in $RESULTS; exit $STATUS$( (( STATUS == 3 )) && echo ' (no CUDA device: CUDA steps skipped)')"
exit $STATUS
