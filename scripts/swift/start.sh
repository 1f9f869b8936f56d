#!/usr/bin/env bash
# Starts a single-node OpenStack Swift with the S3 API (s3api + tempauth) on
# loopback, for Reelm's S3 test lane and local development. Idempotent: run it
# again and it only starts what is not running. Installs Debian's Swift
# packages when missing (needs root). Prints the S3 settings as shell exports
# on stdout (everything else goes to stderr), so callers can `eval` them:
#
#   eval "$(bash scripts/swift/start.sh)"    # sets REELM_TEST_S3_ENDPOINT, …
#   bash scripts/swift/stop.sh
#
# Tunables: REELM_SWIFT_DIR (default /srv/reelm-swift), REELM_SWIFT_PORT (S3/Swift
# proxy port, default 8380); the storage servers use the three ports after
# REELM_SWIFT_BACKEND_PORT (default 16210).
set -euo pipefail

ROOT=${REELM_SWIFT_DIR:-/srv/reelm-swift}
PORT=${REELM_SWIFT_PORT:-8380}
BACKEND=${REELM_SWIFT_BACKEND_PORT:-16210}
OBJ_PORT=$BACKEND
CONT_PORT=$((BACKEND + 1))
ACCT_PORT=$((BACKEND + 2))
# tempauth users: the S3 access key is "<account>:<user>", the secret is the password.
ACCESS_KEY=reelm:tester
SECRET_KEY=reelm-testing-secret
OTHER_ACCESS_KEY=other:tester
OTHER_SECRET_KEY=other-testing-secret

log() { echo "swift: $*" >&2; }

if ! command -v swift-proxy-server >/dev/null || ! command -v swift-object-server >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    log "OpenStack Swift is not installed; as root run: apt-get install swift swift-proxy swift-account swift-container swift-object"
    exit 1
  fi
  log "installing OpenStack Swift from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -q --no-install-recommends swift swift-proxy swift-account swift-container swift-object >&2
fi

mkdir -p "$ROOT/etc" "$ROOT/srv/d1" "$ROOT/run" "$ROOT/log"
RUN_USER=root
if getent passwd swift >/dev/null; then RUN_USER=swift; fi
chown -R "$RUN_USER" "$ROOT/srv" "$ROOT/run" "$ROOT/log"

# Swift reads the cluster hash and storage policies from this fixed path. The
# Debian package ships one; write a minimal one only when it is missing.
if [ ! -f /etc/swift/swift.conf ]; then
  mkdir -p /etc/swift
  cat >/etc/swift/swift.conf <<EOF
[swift-hash]
swift_hash_path_suffix = reelm-test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
[storage-policy:0]
name = Policy-0
default = yes
EOF
fi

common_default() {
  cat <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $1
swift_dir = $ROOT/etc
devices = $ROOT/srv
mount_check = false
disable_fallocate = true
workers = 0
user = $RUN_USER
log_level = WARNING
log_address = /nonexistent
EOF
}

{ common_default "$OBJ_PORT"; cat <<EOF
[pipeline:main]
pipeline = object-server
[app:object-server]
use = egg:swift#object
EOF
} >"$ROOT/etc/object-server.conf"

{ common_default "$CONT_PORT"; cat <<EOF
[pipeline:main]
pipeline = container-server
[app:container-server]
use = egg:swift#container
EOF
} >"$ROOT/etc/container-server.conf"

{ common_default "$ACCT_PORT"; cat <<EOF
[pipeline:main]
pipeline = account-server
[app:account-server]
use = egg:swift#account
EOF
} >"$ROOT/etc/account-server.conf"

# s3api must come before tempauth; slo serves S3 multipart uploads. No memcached:
# the cache filter only needs to be present for tempauth, S3 requests are
# verified by signature on every request.
cat >"$ROOT/etc/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $PORT
swift_dir = $ROOT/etc
workers = 0
user = $RUN_USER
log_level = WARNING
log_address = /nonexistent

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

[filter:s3api]
use = egg:swift#s3api
location = us-east-1
s3_acl = false
dns_compliant_bucket_names = true

[filter:tempauth]
use = egg:swift#tempauth
user_reelm_tester = $SECRET_KEY .admin
user_other_tester = $OTHER_SECRET_KEY .admin

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:1

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
EOF

# One ring per server type, one device each, one replica.
for pair in "object:$OBJ_PORT" "container:$CONT_PORT" "account:$ACCT_PORT"; do
  name=${pair%%:*}
  port=${pair##*:}
  if [ ! -f "$ROOT/etc/$name.ring.gz" ]; then
    (
      cd "$ROOT/etc"
      swift-ring-builder "$name.builder" create 8 1 1 >/dev/null
      swift-ring-builder "$name.builder" add "r1z1-127.0.0.1:$port/d1" 100 >/dev/null
      swift-ring-builder "$name.builder" rebalance >/dev/null
    )
  fi
done

running() { [ -f "$ROOT/run/$1.pid" ] && kill -0 "$(cat "$ROOT/run/$1.pid")" 2>/dev/null; }

for server in object container account proxy; do
  if running "$server"; then continue; fi
  log "starting $server server"
  # setsid: the servers outlive this script and its caller's process group.
  setsid "swift-$server-server" "$ROOT/etc/$server-server.conf" --verbose >>"$ROOT/log/$server.log" 2>&1 </dev/null &
  echo $! >"$ROOT/run/$server.pid"
done

ENDPOINT="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
  # A badly signed S3 request must get an S3 error document: proof that s3api answers.
  if curl -fsS "$ENDPOINT/healthcheck" >/dev/null 2>&1 &&
    curl -sS -H "Authorization: AWS $ACCESS_KEY:invalid" "$ENDPOINT/" 2>/dev/null | grep -q '<Error><Code>'; then
    log "S3 API ready at $ENDPOINT"
    cat <<EOF
export REELM_TEST_S3_ENDPOINT=$ENDPOINT
export REELM_TEST_S3_ACCESS_KEY=$ACCESS_KEY
export REELM_TEST_S3_SECRET_KEY=$SECRET_KEY
export REELM_TEST_S3_OTHER_ACCESS_KEY=$OTHER_ACCESS_KEY
export REELM_TEST_S3_OTHER_SECRET_KEY=$OTHER_SECRET_KEY
export REELM_TEST_S3_REGION=us-east-1
EOF
    exit 0
  fi
  sleep 0.2
done
log "Swift did not answer at $ENDPOINT within 20 s; logs in $ROOT/log:"
tail -n 20 "$ROOT"/log/*.log >&2 || true
exit 1
