#!/usr/bin/env bash
# Builds the agent's release tarball: a jlink Java runtime with only the modules the agent uses, the fat jar, the
# launcher, the systemd unit, the default config, the tower and sensor examples and the installer.
#
#   deploy/agent/build-image.sh                    # for this machine's architecture
#   deploy/agent/build-image.sh --jmods DIR --arch aarch64
#                                                  # for a Raspberry Pi from an x86 machine: DIR is the jmods/ folder
#                                                  # of a JDK 17 for linux-aarch64 (same feature release as this jlink)
# Output: deploy/agent/target/dabba-agent-VERSION-ARCH.tar.gz
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/deploy/agent"
OUT="$HERE/target"
JMODS=""
ARCH="$(uname -m)"
while [ $# -gt 0 ]; do
  case "$1" in
    --jmods) JMODS="$2"; shift 2 ;;
    --arch) ARCH="$2"; shift 2 ;;
    *) echo "usage: $0 [--jmods DIR --arch ARCH]" >&2; exit 2 ;;
  esac
done
JAVA_BIN="${JAVA_HOME:+$JAVA_HOME/bin/}"
for tool in jlink jdeps; do
  command -v "${JAVA_BIN}$tool" >/dev/null || { echo "$tool not found: install a full JDK 17+ (not a JRE)" >&2; exit 1; }
done
if [ -z "$JMODS" ]; then
  JMODS="$("${JAVA_BIN}java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.home/ {print $2}')/jmods"
fi
[ -d "$JMODS" ] || { echo "no jmods in $JMODS (Debian: apt-get install openjdk-17-jmods)" >&2; exit 1; }

echo "building the agent jar ..."
(cd "$ROOT" && ./mvnw -B -q -pl edge-agent -am package -Dmaven.test.skip=true)
JAR="$ROOT/edge-agent/target/dabba-agent.jar"
VERSION="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$ROOT/pom.xml" | head -1)"

# The modules the agent uses. jdeps also names java.desktop and java.prefs (SnakeYAML's bean support, which the agent
# never loads: it reads YAML as nodes), 12 MiB it does not need; the list below is what AgentJarIT and a Pi run.
MODULES="java.base,java.logging,java.management,jdk.crypto.ec,jdk.naming.dns,jdk.httpserver,jdk.zipfs,jdk.unsupported"
echo "jdeps says: $("${JAVA_BIN}jdeps" --ignore-missing-deps --multi-release 17 --print-module-deps "$JAR"); linking: $MODULES"

STAGE="$OUT/dabba-agent-$VERSION"
rm -rf "$STAGE" && mkdir -p "$STAGE/bin" "$STAGE/lib"
"${JAVA_BIN}jlink" --module-path "$JMODS" --add-modules "$MODULES" --strip-debug --no-header-files \
  --no-man-pages --compress=2 --output "$STAGE/runtime"
cp "$JAR" "$STAGE/lib/dabba-agent.jar"
cp "$HERE/dabba-agent" "$STAGE/bin/dabba-agent"
cp "$HERE/dabba-agent.service" "$HERE/agent.yaml" "$HERE/install.sh" "$HERE/README.md" "$STAGE/"
cp -r "$HERE/examples" "$STAGE/examples"
chmod +x "$STAGE/bin/dabba-agent" "$STAGE/install.sh"
echo "$VERSION" > "$STAGE/VERSION"
TARBALL="$OUT/dabba-agent-$VERSION-linux-$ARCH.tar.gz"
tar -C "$OUT" -czf "$TARBALL" "dabba-agent-$VERSION"
echo "runtime $(du -sh "$STAGE/runtime" | cut -f1), release $(du -sh "$TARBALL" | cut -f1): $TARBALL"
