#!/usr/bin/env bash
# Intake load test on PostgreSQL over HTTP, beside a raw pgbench run of a
# transaction of the same shape (deploy/bench/registration.sql), in the same
# run on the same machine. Everything runs against 127.0.0.1 only, in a
# scratch database that is dropped at the end.
#
# Registrations and pgbench alternate in ROUNDS rounds, and the ratio is
# taken within each round: a shared machine's speed drifts over minutes,
# and phases far apart compare two different machines. Reads are measured
# once, after the rounds.
#
#   deploy/bench/loadtest.sh            # 3 rounds of 15 s phases, 16 clients
#   ROUNDS=1 DURATION=60 CONCURRENCY=32 deploy/bench/loadtest.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

ADMIN_URL="${NRM_BENCH_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
DURATION="${DURATION:-15}"
ROUNDS="${ROUNDS:-3}"
CONCURRENCY="${CONCURRENCY:-16}"
PORT="${PORT:-18080}"
DB="nrm_bench_$$"
URL="${ADMIN_URL%%/postgres\?*}/${DB}?sslmode=disable"
WORK="$(mktemp -d)"
SERVER_PID=""

cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
	psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
	for r in owner identity audit intake referral stats; do
		psql -q "$ADMIN_URL" -c "DROP ROLE IF EXISTS ${DB}_$r" >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

psql -q "$ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null
go build -o "$WORK/nrm" ./cmd/nrm
go build -o "$WORK/nrm-loadtest" ./cmd/nrm-loadtest
"$WORK/nrm" migrate --database-url "$URL" --keys "$WORK/keys" >/dev/null
"$WORK/nrm" serve --database-url "$URL" --keys "$WORK/keys" --data "$WORK/data" --demo \
	--addr "127.0.0.1:$PORT" --rate-address 1e6 --rate-user 1e6 --rate-org 1e6 --duplicate-checks-per-minute 100000000 >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
	curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	sleep 0.2
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null

# The work PostgreSQL does per registration, from the start of the first
# round's load until its events are delivered: WAL bytes (the whole
# cluster's) and rows written in this database.
work() {
	psql -Atq "$URL" -c "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn, tup_inserted + tup_updated + tup_deleted
		FROM pg_stat_database WHERE datname = current_database()"
}

# The registrations' events (audit, statistics) are delivered after they
# commit; the next phase starts once that backlog is gone, and how long it
# took is reported.
drain() {
	local start pending
	start=$(date +%s.%N)
	for _ in $(seq 1 1200); do
		pending=$(psql -Atq "$URL" -c "SELECT (SELECT count(*) FROM intake.outbox WHERE seq IS NULL)
			+ (SELECT COALESCE(sum(c.n), 0) FROM intake.outbox_seq s,
			   LATERAL (SELECT count(*) AS n FROM intake.outbox o WHERE o.topic = s.topic AND o.seq > s.delivered) c)")
		[ "$pending" = 0 ] && break
		sleep 0.1
	done
	echo "== outbox delivered $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b-a }') s after the registrations ($pending left)"
}

# Between phases the database is vacuumed, so that neither phase pays
# for the dead rows of the one before it (autovacuum would otherwise run
# during the next). Each phase's own vacuuming stays in it.
settle() { psql -q "$URL" -c "VACUUM" >/dev/null; }

# The baseline's tables live beside the services' schemas; the server
# stays up, idle, while pgbench runs.
psql -q "$URL" -f deploy/bench/schema.sql >/dev/null
ratios=()
for round in $(seq 1 "$ROUNDS"); do
	echo "== round $round of $ROUNDS: nrm over HTTP (PostgreSQL, $CONCURRENCY clients, ${DURATION}s)"
	[ "$round" = 1 ] && work_before=$(work)
	"$WORK/nrm-loadtest" --url "http://127.0.0.1:$PORT" --credentials "$WORK/keys/demo-credentials.txt" \
		--scenario register --duration "${DURATION}s" --concurrency "$CONCURRENCY" | tee "$WORK/register.txt"
	drain
	if [ "$round" = 1 ]; then
		sleep 2 # row counts reach pg_stat_database within a second of a transaction
		n=$(grep -o '"requests":[0-9]*' "$WORK/register.txt" | cut -d: -f2)
		echo "$work_before|$(work)|$n" | awk -F'|' '$5 > 0 { printf "== per registration: %.1f KB of WAL, %.1f rows written\n", ($3-$1)/$5/1024, ($4-$2)/$5 }'
	fi
	settle
	echo "== round $round of $ROUNDS: raw pgbench, same transaction shape ($CONCURRENCY clients, ${DURATION}s)"
	pgbench -n -M prepared -c "$CONCURRENCY" -j 2 -T "$DURATION" -r -f deploy/bench/registration.sql "$URL" 2>&1 | tee "$WORK/pgbench.txt"
	if grep -q 'aborted' "$WORK/pgbench.txt"; then
		echo "pgbench clients aborted: the baseline is not valid" >&2
		exit 1
	fi
	reg=$(grep -o '"per_second":[0-9.]*' "$WORK/register.txt" | cut -d: -f2)
	raw=$(grep -oE 'tps = [0-9.]+' "$WORK/pgbench.txt" | head -1 | cut -d' ' -f3)
	ratio=$(awk -v a="$reg" -v b="$raw" 'BEGIN { printf "%.1f", 100*a/b }')
	ratios+=("$ratio")
	echo "== round $round: registration throughput $reg/s over HTTP vs $raw/s raw pgbench: $ratio% of raw"
	settle
done

echo "== reads (PostgreSQL, $CONCURRENCY clients, ${DURATION}s)"
"$WORK/nrm-loadtest" --url "http://127.0.0.1:$PORT" --credentials "$WORK/keys/demo-credentials.txt" \
	--scenario read --duration "${DURATION}s" --concurrency "$CONCURRENCY" | tee "$WORK/read.txt"

echo "== server's peak resident memory: $(awk '/^VmHWM/ { printf "%.0f MB", $2/1024 }' /proc/$SERVER_PID/status)"
echo "== registration throughput of raw pgbench, per round: ${ratios[*]} (%); median $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }')%"
