#!/usr/bin/env bash
# The edge agent benchmark (docs/benchmarks.md, "Edge agent"): records/s published with QoS 1 from one agent to a
# local broker with the outbox on disk, and resident memory, with the launcher's JVM settings (-Xmx32m ...), against
# a baseline in the same run (one record per MQTT message, waiting for each PUBACK).
#   deploy/agent/bench.sh                                  # Mosquitto on 127.0.0.1:1883, 1,000,000 records
#   deploy/agent/bench.sh --broker tcp://HOST:1883 --records 200000 --fsync record
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ ! -f "$ROOT/edge-agent/target/dabba-agent.jar" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl edge-agent -am package -DskipTests)
fi
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/bin" "$STAGE/lib"
cp "$ROOT/deploy/agent/dabba-agent" "$STAGE/bin/"
cp "$ROOT/edge-agent/target/dabba-agent.jar" "$STAGE/lib/"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$STAGE/bin/dabba-agent" bench "$@" 2>&1 | grep -v ' INFO '
