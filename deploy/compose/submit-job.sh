#!/bin/sh
# Submits the billing job to deploy/compose.yaml's Flink session cluster unless it already runs there (two billing
# jobs must never share dabba.epochs: each would be an epoch authority). The job's main migrates the report store.
set -eu
if /opt/flink/bin/flink list -r -m jobmanager:8081 2>/dev/null | grep -q 'dabba-billing'; then
  echo "dabba-billing already runs"; exit 0
fi
exec /opt/flink/bin/flink run -d -m jobmanager:8081 -c dev.dabba.jobs.BillingJobMain /opt/dabba/dabba-stream-jobs-job.jar \
  --bootstrap-servers kafka:19092 --jdbc-url jdbc:postgresql://postgres:5432/dabba --db-user dabba --db-password dabba \
  --checkpoint-interval PT5S --epoch-interval PT10S
