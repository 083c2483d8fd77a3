#!/usr/bin/env bash
# Installs (or upgrades to) this release of the Dabba edge agent on a Raspberry Pi or any systemd Linux; run as root
# from the unpacked release directory.
#   sudo ./install.sh              install or upgrade, keep /etc/dabba-agent/agent.yaml, restart the service
#   sudo ./install.sh --rollback   switch back to the previously installed release and restart
# Releases live side by side in /opt/dabba-agent/releases/VERSION; /opt/dabba-agent/current points at one.
#   DESTDIR=/tmp/stage ./install.sh [--rollback]
#                                  the same into a staging root, as any user: no system user, ownership or systemd
#                                  (for image builds, and to try an upgrade and a rollback without root)
set -euo pipefail

DESTDIR="${DESTDIR:-}"
PREFIX="$DESTDIR/opt/dabba-agent"
CONF="$DESTDIR/etc/dabba-agent"
UNIT_DIR="$DESTDIR/etc/systemd/system"
if [ -z "$DESTDIR" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "run as root (sudo ./install.sh), or stage with DESTDIR=DIR" >&2; exit 1; }
fi
restart() {
  if [ -z "$DESTDIR" ]; then systemctl restart dabba-agent; fi
}

if [ "${1:-}" = "--rollback" ]; then
  current="$(basename "$(readlink -f "$PREFIX/current")")"
  previous="$(readlink -f "$PREFIX/previous" 2>/dev/null || true)"
  [ -n "$previous" ] && [ -d "$previous" ] || { echo "no previous release to roll back to" >&2; exit 1; }
  previous="$(basename "$previous")"
  ln -sfn "releases/$previous" "$PREFIX/current"
  ln -sfn "releases/$current" "$PREFIX/previous"
  restart
  echo "rolled back to $previous; $current kept as previous"
  exit 0
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="$(cat "$HERE/VERSION")"
TARGET="$PREFIX/releases/$VERSION"

if [ -z "$DESTDIR" ]; then
  id dabba >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin dabba
fi
mkdir -p "$PREFIX/releases" "$CONF"
rm -rf "$TARGET" && mkdir -p "$TARGET"
cp -a "$HERE/runtime" "$HERE/bin" "$HERE/lib" "$HERE/README.md" "$HERE/VERSION" "$TARGET/"
"$TARGET/bin/dabba-agent" --version >/dev/null

if [ ! -f "$CONF/agent.yaml" ]; then
  cp "$HERE/agent.yaml" "$CONF/agent.yaml"
  echo "installed a default $CONF/agent.yaml: set node and mqtt.brokerUri before starting"
fi
if [ -z "$DESTDIR" ]; then
  chown -R root:dabba "$CONF"
fi
chmod 750 "$CONF" && chmod 640 "$CONF"/*

# Links are relative (releases/VERSION), so a staged tree works wherever it is copied.
if [ -L "$PREFIX/current" ] && [ "$(readlink -f "$PREFIX/current")" != "$(readlink -f "$TARGET")" ]; then
  ln -sfn "releases/$(basename "$(readlink -f "$PREFIX/current")")" "$PREFIX/previous"
fi
ln -sfn "releases/$VERSION" "$PREFIX/current"
mkdir -p "$UNIT_DIR"
install -m 644 "$HERE/dabba-agent.service" "$UNIT_DIR/dabba-agent.service"
if [ -n "$DESTDIR" ]; then
  "$TARGET/bin/dabba-agent" run --config "$CONF/agent.yaml" --check
  echo "dabba-agent $VERSION staged in $DESTDIR (not started)"
  exit 0
fi
systemctl daemon-reload
systemctl enable dabba-agent >/dev/null
if "$TARGET/bin/dabba-agent" run --config "$CONF/agent.yaml" --check; then
  systemctl restart dabba-agent
  echo "dabba-agent $VERSION running; check with: $TARGET/bin/dabba-agent status --config $CONF/agent.yaml"
else
  echo "dabba-agent $VERSION installed but not started: fix $CONF/agent.yaml, then systemctl start dabba-agent" >&2
  exit 1
fi
