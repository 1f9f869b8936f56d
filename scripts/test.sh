#!/bin/sh
# `npm test`: the whole suite with Node's test runner. Lanes: SQLite always;
# PostgreSQL when REELM_TEST_PG_URL is set (.ci/run starts a server and sets it).
# The web end-to-end tests (test/web/) need web/dist: scripts/run.sh builds it first.
# Pass file paths to run only those: npm test -- test/accounts/signup.test.ts
set -eu
if [ -n "${REELM_TEST_PG_URL:-}" ]; then
  echo "[reelm] test lanes: sqlite, postgres${REELM_TEST_BLOBS:+ with $REELM_TEST_BLOBS blobs} (${REELM_TEST_PG_URL%%@*}@…)" >&2
else
  echo "[reelm] test lanes: sqlite (set REELM_TEST_PG_URL=postgres://… to add the PostgreSQL lane; .ci/run does)" >&2
fi
# spec output, then a list of every skipped test with its reason (a missing lane shows; under CI it fails)
REPORTERS="--test-reporter=spec --test-reporter-destination=stdout --test-reporter=./test/helpers/skip-report.ts --test-reporter-destination=stdout"
if [ $# -gt 0 ]; then
  exec node --test $REPORTERS --test-concurrency="${REELM_TEST_CONCURRENCY:-2}" "$@"
fi
exec node --test $REPORTERS --test-concurrency="${REELM_TEST_CONCURRENCY:-2}" 'test/**/*.test.ts'
