#!/usr/bin/env bash
# Stops the Swift servers started by scripts/swift/start.sh (by their recorded
# process ids only). Data stays in REELM_SWIFT_DIR; pass --purge to remove it.
set -euo pipefail
ROOT=${REELM_SWIFT_DIR:-/srv/reelm-swift}

for server in proxy account container object; do
  pidfile="$ROOT/run/$server.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
done
if [ "${1:-}" = "--purge" ]; then rm -rf "$ROOT"; fi
echo "swift: stopped" >&2
