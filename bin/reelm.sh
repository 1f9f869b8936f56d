#!/bin/sh
# `npx reelm …` — the operator's command line (audit, audit-log verify, …).
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
exec sh "$ROOT/scripts/run.sh" cli "$@"
