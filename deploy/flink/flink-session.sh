#!/usr/bin/env bash
# A standalone Flink session cluster on this machine, and the billing job on it.
#   deploy/flink/flink-session.sh up        JobManager + TaskManager JVMs from flink-session/target/lib
#   deploy/flink/flink-session.sh submit -- --bootstrap-servers HOST:PORT --jdbc-url jdbc:postgresql://...
#   deploy/flink/flink-session.sh status
#   deploy/flink/flink-session.sh down
# The work is done by `dabba flink` (dev.dabba.deploy.flink.FlinkSessionCluster), which the integration test
# FlinkSessionClusterIT exercises; this script only finds the checkout.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec "$ROOT/dabba" flink "$@"
