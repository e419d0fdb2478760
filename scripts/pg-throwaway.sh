#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster in a temporary directory and prints shell `export` lines for it.
#   eval "$(scripts/pg-throwaway.sh start)"   → JOURNEYLAB_TEST_DATABASE_URL, JOURNEYLAB_TEST_PGDATA, …
#   scripts/pg-throwaway.sh stop DIR          → stops it and removes DIR
# Unix socket in its own directory plus a loopback TCP port; fsync off (tests only) unless
# JOURNEYLAB_PG_DURABLE=1, which keeps PostgreSQL's durable defaults (fsync, synchronous_commit, full page
# writes), as the embedded database and a production server run (benchmarks). Works as root (the server runs
# as `postgres`) and as a normal user.
set -euo pipefail

bindir=""
for candidate in $(command -v pg_ctl 2>/dev/null | xargs -r readlink -f | xargs -r dirname) $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bindir=$candidate; break; fi
done
[ -n "$bindir" ] || { echo "pg-throwaway: initdb/pg_ctl not found: install postgresql" >&2; exit 1; }

as_server() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    dir=$(mktemp -d /tmp/jl-pg.XXXXXX)
    chmod 755 "$dir"
    mkdir -p "$dir/run"
    [ "$(id -u)" -ne 0 ] || chown -R postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_server "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/run -c max_connections=300"
    [ "${JOURNEYLAB_PG_DURABLE:-0}" = 1 ] || opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -o "$opts" -w -t 60 start >/dev/null \
        || { cat "$dir/postgres.log" >&2; exit 1; }
    echo "export JOURNEYLAB_TEST_PG_DIR='$dir'"
    echo "export JOURNEYLAB_TEST_PGDATA='$dir/data'"
    echo "export JOURNEYLAB_TEST_PG_BIN='$bindir'"
    echo "export JOURNEYLAB_TEST_PG_PORT='$port'"
    echo "export JOURNEYLAB_TEST_PG_OPTIONS='$opts'"
    echo "export JOURNEYLAB_TEST_DATABASE_URL='host=$dir/run port=$port dbname=postgres user=postgres'"
    ;;
stop)
    dir=${2:?usage: pg-throwaway.sh stop DIR}
    [ -d "$dir/data" ] && as_server "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg-throwaway.sh start | stop DIR" >&2
    exit 2
    ;;
esac
