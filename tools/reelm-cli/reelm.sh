#!/bin/sh
# `npx reelm <command>` in a Reelm checkout: runs src/main.ts with Node 24.
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
exec sh "$ROOT/scripts/run.sh" cli "$@"
