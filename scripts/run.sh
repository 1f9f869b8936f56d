#!/bin/sh
# Reelm's entry point for `npm start`, `npm test` and the CLI on any machine.
# Brings Node 24 locally when the machine's Node is older, installs dependencies
# when they are missing or stale, then runs the requested command with Node 24.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. "$ROOT/scripts/lib/toolchain.sh"

ensure_node24
ensure_dependencies

cmd=${1:-serve}
[ $# -gt 0 ] && shift
case "$cmd" in
  serve | test) ensure_ffmpeg && ensure_web ;;
esac
case "$cmd" in
  serve) exec node src/main.ts serve "$@" ;;
  cli) exec node src/main.ts "$@" ;;
  test) exec sh scripts/test.sh "$@" ;;
  lint)
    ensure_web # the e2e tests' types come from web/node_modules
    say "type-checking (tsc --noEmit)"
    npx tsc --noEmit -p tsconfig.json
    say "linting (eslint)"
    npx eslint --max-warnings=0 src test bench
    say "checking format (prettier --check)"
    npx prettier --check src test bench docs README.md ;;
  format) exec npx prettier --write src test bench ;;
  bench) exec node "bench/${1:-all}.ts" ;;
  *) echo "unknown command: $cmd" >&2; exit 2 ;;
esac
