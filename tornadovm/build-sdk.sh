#!/usr/bin/env bash
# Builds the TornadoVM SDK from a TornadoVM source checkout (JDK 25 line, e.g. tag v5.2.0-jdk25)
# and installs its artifacts into the local Maven repository under their official coordinates
# (io.github.beehive-lab:tornado-api:<version>, ...), exactly what Maven Central serves to users.
#
#   tornadovm/build-sdk.sh SOURCE_DIR          # prints the SDK folder on its last line
#   TORNADO_SDK=$(tornadovm/build-sdk.sh SOURCE_DIR | tail -1)
#
# Needs: JAVA_HOME = a JDK >= 25.0.2 with JVMCI (Temurin 25 qualifies), cmake, a C++ compiler, the
# OpenCL headers and ICD loader (Debian: opencl-headers ocl-icd-opencl-dev), python3 (TornadoVM's own
# argfile generator). Maven Central must be reachable, or its artifacts already cached. The PTX
# backend is added when the CUDA toolkit and the driver library (libcuda) are both present.
# Idempotent: a second run with an unchanged source reuses the SDK it built.
#
# Upstream's bin/compile is not used because it pip-installs packages, clones the OpenCL headers
# from GitHub and fetches the Graal jars with Python; each of those is replaced by a step below.
set -euo pipefail

die() { echo "build-sdk: $*" >&2; exit 1; }
[[ $# -eq 1 ]] || die "usage: build-sdk.sh TORNADOVM_SOURCE_DIR"
SRC="$(cd "$1" 2>/dev/null && pwd)" || die "no such folder: $1"
[[ -f "$SRC/pom.xml" && -d "$SRC/tornado-api" ]] || die "$SRC is not a TornadoVM source checkout (no pom.xml/tornado-api)"
[[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] || die "set JAVA_HOME to a JDK 25"
"$JAVA_HOME/bin/java" --list-modules 2>/dev/null | grep -q '^jdk.internal.vm.ci@' \
  || die "$JAVA_HOME has no JVMCI module (jdk.internal.vm.ci); TornadoVM needs a JDK 25 that ships it (Temurin does)"

# The project version: the JDK 25 line is versioned X.Y.Z-jdk25 and has the jdk25 Maven profile.
VERSION="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$SRC/pom.xml")"
GRAAL="$(sed -n 's:.*<graalvm.version>\(.*\)</graalvm.version>.*:\1:p' "$SRC/pom.xml" | head -1)"
[[ "$VERSION" == *-jdk25 ]] && grep -q '<id>jdk25</id>' "$SRC/pom.xml" \
  || die "$SRC is TornadoVM $VERSION, not the JDK 25 line: check out a v*-jdk25 tag (e.g. git checkout v5.2.0-jdk25)"
[[ -n "$GRAAL" ]] || die "$SRC/pom.xml names no graalvm.version"

BACKENDS="opencl"
PROFILES="jdk25,opencl-backend"
if command -v nvcc >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libcuda\.so'; then
  BACKENDS="opencl,ptx"; PROFILES="$PROFILES,ptx-backend"
fi
SDK="$SRC/dist/tornadovm-$VERSION-${BACKENDS//,/-}-linux-amd64/tornadovm-$VERSION-${BACKENDS//,/-}"
STAMP="$SDK/.radapter-built-from"
HEAD="$(git -C "$SRC" rev-parse HEAD 2>/dev/null || echo unknown)"
REPO_FLAG=()
[[ -n "${MAVEN_REPO:-}" ]] && REPO_FLAG=("-Dmaven.repo.local=$MAVEN_REPO")

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$HEAD $BACKENDS" && -f "$SDK/tornado-argfile" ]]; then
  echo "build-sdk: TornadoVM $VERSION ($BACKENDS) already built from $HEAD" >&2
  echo "$SDK"; exit 0
fi

echo "build-sdk: TornadoVM $VERSION, backends $BACKENDS, Graal $GRAAL, JDK $JAVA_HOME" >&2
# 1. The Graal compiler jars the SDK puts on --upgrade-module-path, through Maven (upstream's
#    list also names compiler-management, which Central does not serve and nothing loads).
mkdir -p "$SRC/graalJars"
for a in org.graalvm.compiler:compiler org.graalvm.sdk:graal-sdk org.graalvm.truffle:truffle-api \
         org.graalvm.truffle:truffle-compiler org.graalvm.sdk:collections org.graalvm.sdk:word \
         org.graalvm.polyglot:polyglot; do
  name="${a#*:}-$GRAAL.jar"
  [[ -f "$SRC/graalJars/$name" ]] && continue
  (cd "$SRC" && ./mvnw -q -B -ntp "${REPO_FLAG[@]}" dependency:copy -Dartifact="$a:$GRAAL" \
      -DoutputDirectory="$SRC/graalJars" -Dtransitive=false) || die "could not fetch $a:$GRAAL"
done

# 2. The Java modules and the native OpenCL (and PTX) drivers; `install` puts every artifact in
#    the local repository under io.github.beehive-lab with the official version.
echo "tornado.backends=${BACKENDS//,/-backend,}-backend" > "$SRC/tornado-assembly/src/etc/tornado.backend"
(cd "$SRC" && ./mvnw -B -ntp -q -T2 "${REPO_FLAG[@]}" -P"$PROFILES" -Dtornado.backend="${BACKENDS//,/-}" \
    -DskipTests install) || die "the TornadoVM build failed (see the Maven output above)"
[[ -d "$SDK" ]] || die "the build finished but $SDK is missing"

# 3. The JVM argument file (what upstream's post-install step and launcher produce): a template with
#    ${TORNADOVM_HOME}, then expanded to absolute paths for `java @$SDK/tornado-argfile`.
(cd "$SDK/bin" && TORNADOVM_HOME="$SDK" PATH="$JAVA_HOME/bin:$PATH" python3 gen-tornado-argfile-template.py "$BACKENDS" >/dev/null) \
  || die "generating tornado-argfile failed"
sed "s|\${TORNADOVM_HOME}|$SDK|g" "$SDK/tornado-argfile.template" > "$SDK/tornado-argfile.tmp"
mv "$SDK/tornado-argfile.tmp" "$SDK/tornado-argfile"
echo "$HEAD $BACKENDS" > "$STAMP"
echo "build-sdk: done; export TORNADO_SDK=$SDK" >&2
echo "$SDK"
