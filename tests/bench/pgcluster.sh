# shellcheck shell=bash
# Sourced by the PostgreSQL benchmarks, first thing after `work=$(mktemp -d)`: a throwaway cluster in $work/pg
# (Debian's initdb and pg_ctl, the newest installed version, run as nobody when root since PostgreSQL refuses root,
# scram passwords, no Unix socket, a free loopback port, fsync and synchronous_commit on as by default) and its
# database "bench". Sets pgbin, port, store (the URL), PGPASSWORD and bench_sql; at exit, the processes the script put
# in pids are ended, the cluster stopped and $work removed.
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_owner=()
if [ "$(id -u)" = 0 ]; then as_owner=(runuser -u nobody --); fi
pids=()
bench_cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ ! -f "$work/pg/data/postmaster.pid" ] || "${as_owner[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -m fast -w stop \
        > /dev/null 2>&1 || true
    rm -rf "$work"
}
trap bench_cleanup EXIT
chmod 755 "$work"
mkdir -p "$work/pg"
echo bench-password > "$work/pg/pw"
[ ${#as_owner[@]} -eq 0 ] || chown -R nobody "$work/pg"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_owner[@]}" "$pgbin/initdb" -D "$work/pg/data" -U pimscope --auth=scram-sha-256 --pwfile="$work/pg/pw" -E UTF8 \
    > "$work/pg/initdb.log"
"${as_owner[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -w -l "$work/pg/server.log" \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c max_connections=20" start \
    > /dev/null
export PGPASSWORD=bench-password
"$pgbin/psql" -X -q -h 127.0.0.1 -p "$port" -U pimscope -d postgres -c 'CREATE DATABASE bench'
store=postgresql://pimscope@127.0.0.1:$port/bench
bench_sql() { "$pgbin/psql" -X -q -A -t -h 127.0.0.1 -p "$port" -U pimscope -d bench -c "$1"; }
