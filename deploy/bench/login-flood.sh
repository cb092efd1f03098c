#!/usr/bin/env bash
# Login flood: what a password-guessing flood does to real users. A fresh
# `nrm serve --demo` (SQLite, default Argon2 parameters) on 127.0.0.1; 8
# loopback addresses (127.0.0.2–9) send wrong passwords for DURATION
# seconds while every demo user signs in with the right password and code
# from 127.0.0.1 once per TOTP step. Prints the share of those logins that
# succeeded and their latency. Loopback only; everything is removed at the
# end.
#
#   deploy/bench/login-flood.sh                  # 8 addresses × 8 clients, 30 s
#   ADDRESSES=16 CONCURRENCY=4 DURATION=60 deploy/bench/login-flood.sh
#   FLOOD_KNOWN=1 deploy/bench/login-flood.sh    # half the guesses name the demo users
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION="${DURATION:-30}"
ADDRESSES="${ADDRESSES:-8}"
CONCURRENCY="${CONCURRENCY:-8}"
PORT="${PORT:-18081}"
FLOOD_KNOWN="${FLOOD_KNOWN:-}"
WORK="$(mktemp -d)"
SERVER_PID=""

cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

go build -o "$WORK/nrm" ./cmd/nrm
go build -o "$WORK/nrm-loadtest" ./cmd/nrm-loadtest
"$WORK/nrm" serve --data "$WORK/data" --keys "$WORK/keys" --addr "127.0.0.1:$PORT" --metrics-addr 127.0.0.1:0 --demo \
	>"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do
	curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	sleep 0.2
done
CREDS=""
for f in "$WORK/keys/demo-credentials.txt" "$WORK/data/demo-credentials.txt"; do
	[ -f "$f" ] && CREDS="$f" && break
done
[ -n "$CREDS" ] || { echo "no demo credentials file" >&2; exit 1; }

"$WORK/nrm-loadtest" --scenario login-flood --url "http://127.0.0.1:$PORT" --credentials "$CREDS" \
	--flood-addresses "$ADDRESSES" --concurrency "$CONCURRENCY" --duration "${DURATION}s" \
	${FLOOD_KNOWN:+--flood-known}
