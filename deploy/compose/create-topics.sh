#!/bin/sh
# Creates Dabba's Kafka topics in deploy/compose.yaml's single broker, with the layout of docs/architecture.md
# (replication 1, the demo partition counts). Idempotent.
set -eu
T=/opt/kafka/bin/kafka-topics.sh
B=kafka:19092
$T --bootstrap-server $B --create --if-not-exists --topic dabba.records --partitions 3 --config retention.ms=604800000
$T --bootstrap-server $B --create --if-not-exists --topic dabba.dead-letters --partitions 1 --config retention.ms=2592000000
$T --bootstrap-server $B --create --if-not-exists --topic dabba.bill-updates --partitions 3 --config cleanup.policy=compact
$T --bootstrap-server $B --create --if-not-exists --topic dabba.epochs --partitions 1 --config cleanup.policy=compact \
  --config retention.ms=-1 --config min.compaction.lag.ms=3600000
$T --bootstrap-server $B --create --if-not-exists --topic dabba.alerts --partitions 1 --config retention.ms=2592000000
echo "topics ready"
