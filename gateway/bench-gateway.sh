#!/usr/bin/env bash
# The gateway throughput benchmark (docs/benchmarks.md, "Gateway"): MQTT -> gateway -> Kafka on this machine,
# against the previous one-message-at-a-time bridge in the same run. Options are passed on, e.g.
#   gateway/bench-gateway.sh --broker mosquitto --records 1000000 --runs 3
# --broker hivemq (embedded, default when nothing answers on 127.0.0.1:1883) | mosquitto (127.0.0.1:1883) | URI
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CP_FILE="$ROOT/gateway/target/bench-classpath.txt"
./mvnw -B -q -pl gateway -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$CP_FILE" -Dmaven.test.skip.exec=true
exec java -Xmx3g -Ddabba.log.level=WARN \
  -cp "gateway/target/test-classes:gateway/target/classes:$(cat "$CP_FILE")" \
  dev.dabba.bench.gateway.GatewayThroughputBenchmark "$@"
