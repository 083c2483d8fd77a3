#!/bin/sh
# Creates (or updates) the gateway's two connectors on deploy/compose.yaml's Connect worker once its REST API answers.
set -eu
C=http://connect:8083
until curl -sf $C/connector-plugins | grep -q MqttSourceConnector; do echo "waiting for Connect"; sleep 2; done
curl -sf -X PUT -H 'Content-Type: application/json' --data @/etc/dabba/mqtt-source.json $C/connectors/dabba-mqtt-source/config
curl -sf -X PUT -H 'Content-Type: application/json' --data @/etc/dabba/epoch-sink.json $C/connectors/dabba-epoch-sink/config
echo "connectors ready"
