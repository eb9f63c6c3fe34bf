#!/usr/bin/env bash
# HTTP overhead benchmark: an authenticated `GET /api/v1/users` against the
# bare `GET /healthz` of the same release server, 10 s at 64 connections each
# with wrk. Prints req/s of both, their ratio, and p99 latency.
#
#   bench/http.sh            # defaults: 10 s, 64 connections, 2 wrk threads
#   DURATION=30s CONNECTIONS=128 bench/http.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  (apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk >/dev/null) \
    || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
fi

cargo build --release --locked -p grove >/dev/null
DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEY=$(./target/release/grove init --json --data-dir "$DATA" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')

# Limits raised so the benchmark measures the server, not the limiter's refusals.
GROVE_RATE_LIMITS__ADMIN__PER_MINUTE=100000000 GROVE_RATE_LIMITS__ADMIN__BURST=100000000 \
GROVE_LOG_LEVEL=warn ./target/release/grove serve --data-dir "$DATA" --addr "127.0.0.1:$PORT" >/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

run() { # name, then extra wrk arguments
  local name=$1; shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" >"/tmp/grove-bench-$name.txt"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "/tmp/grove-bench-$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "/tmp/grove-bench-$name.txt")
  echo "$name $rps $p99"
}

read -r _ BARE_RPS BARE_P99 < <(run bare "http://127.0.0.1:$PORT/healthz")
read -r _ AUTH_RPS AUTH_P99 < <(run auth -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/api/v1/users")
grep -E "Non-2xx|Socket errors" /tmp/grove-bench-auth.txt >&2 || true

printf '%-34s %12s %10s\n' route req/s p99
printf '%-34s %12s %10s\n' "GET /healthz (bare)" "$BARE_RPS" "$BARE_P99"
printf '%-34s %12s %10s\n' "GET /api/v1/users (authenticated)" "$AUTH_RPS" "$AUTH_P99"
python3 -c "import sys; print('ratio authenticated/bare: %.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$AUTH_RPS" "$BARE_RPS"
