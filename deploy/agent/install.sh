#!/usr/bin/env bash
# Installs (or upgrades to) this release of the Dabba edge agent on a Raspberry Pi or any systemd Linux; run as root
# from the unpacked release directory.
#   sudo ./install.sh              install or upgrade, keep /etc/dabba-agent/agent.yaml, restart the service
#   sudo ./install.sh --rollback   switch back to the previously installed release and restart
# Releases live side by side in /opt/dabba-agent/releases/VERSION; /opt/dabba-agent/current points at one.
set -euo pipefail

PREFIX=/opt/dabba-agent
CONF=/etc/dabba-agent
[ "$(id -u)" -eq 0 ] || { echo "run as root (sudo ./install.sh)" >&2; exit 1; }

if [ "${1:-}" = "--rollback" ]; then
  current="$(readlink -f "$PREFIX/current")"
  previous="$(readlink -f "$PREFIX/previous" 2>/dev/null || true)"
  [ -n "$previous" ] && [ -d "$previous" ] || { echo "no previous release to roll back to" >&2; exit 1; }
  ln -sfn "$previous" "$PREFIX/current"
  ln -sfn "$current" "$PREFIX/previous"
  systemctl restart dabba-agent
  echo "rolled back to $(basename "$previous"); $(basename "$current") kept as previous"
  exit 0
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="$(cat "$HERE/VERSION")"
TARGET="$PREFIX/releases/$VERSION"

id dabba >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin dabba
mkdir -p "$PREFIX/releases" "$CONF"
rm -rf "$TARGET" && mkdir -p "$TARGET"
cp -a "$HERE/runtime" "$HERE/bin" "$HERE/lib" "$HERE/README.md" "$HERE/VERSION" "$TARGET/"
"$TARGET/bin/dabba-agent" --version >/dev/null

if [ ! -f "$CONF/agent.yaml" ]; then
  cp "$HERE/agent.yaml" "$CONF/agent.yaml"
  echo "installed a default $CONF/agent.yaml: set node and mqtt.brokerUri before starting"
fi
chown -R root:dabba "$CONF" && chmod 750 "$CONF" && chmod 640 "$CONF"/*

if [ -L "$PREFIX/current" ] && [ "$(readlink -f "$PREFIX/current")" != "$TARGET" ]; then
  ln -sfn "$(readlink -f "$PREFIX/current")" "$PREFIX/previous"
fi
ln -sfn "$TARGET" "$PREFIX/current"
install -m 644 "$HERE/dabba-agent.service" /etc/systemd/system/dabba-agent.service
systemctl daemon-reload
systemctl enable dabba-agent >/dev/null
if "$TARGET/bin/dabba-agent" run --config "$CONF/agent.yaml" --check; then
  systemctl restart dabba-agent
  echo "dabba-agent $VERSION running; check with: $TARGET/bin/dabba-agent status --config $CONF/agent.yaml"
else
  echo "dabba-agent $VERSION installed but not started: fix $CONF/agent.yaml, then systemctl start dabba-agent" >&2
  exit 1
fi
