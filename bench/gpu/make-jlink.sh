#!/usr/bin/env bash
# Builds .jdk/ at the repository root: a trimmed JDK 25 runtime (jlink) small enough to be carried
# to a GPU machine that has no JDK, for bench/gpu/run-device.sh.
#
#   bench/gpu/make-jlink.sh            # uses $JAVA_HOME, else /usr/lib/jvm/temurin-25-jdk-amd64
#   JLINK_EXTRA_MODULES=java.desktop bench/gpu/make-jlink.sh   # add modules (ImageIO for real images)
#
# Modules: java.base; jdk.incubator.vector (the cpu backend); java.logging (JUnit's logger);
# java.management + jdk.management (memory/CPU figures in benchmark reports); jdk.unsupported
# (libraries that still touch sun.misc). java.desktop (ImageIO, +20 MB) only on request: the
# carry limit is 64 MiB and the parity tests and synthetic benchmarks do not decode images.
set -euo pipefail
cd "$(dirname "$0")/../.."

JDK="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if ! "$JDK/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
  echo "make-jlink: $JDK is not a JDK 25 or newer (set JAVA_HOME)" >&2
  exit 1
fi
MODULES="java.base,jdk.incubator.vector,java.logging,java.management,jdk.management,jdk.unsupported"
if [[ -n "${JLINK_EXTRA_MODULES:-}" ]]; then
  MODULES="$MODULES,$JLINK_EXTRA_MODULES"
fi

rm -rf .jdk
"$JDK/bin/jlink" \
  --add-modules "$MODULES" \
  --strip-debug --no-header-files --no-man-pages --compress=zip-9 \
  --output .jdk 2>&1 | grep -v 'Using incubator modules' || true
.jdk/bin/java -version 2>&1 | head -1
echo "make-jlink: .jdk/ is $(du -sh .jdk | cut -f1) with modules $MODULES"
