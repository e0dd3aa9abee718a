#!/usr/bin/env bash
# localdb.sh starts Docent's project-local PostgreSQL cluster and prints its DATABASE_URL.
#
# The cluster lives under .data/ in the checkout, on its own port and its own socket directory, so
# it never touches a system cluster. It is created on first use; later calls only start it if it
# is stopped, which takes a second or two. The port is DOCENT_PG_PORT when set; otherwise 54329,
# or the next free port when another program (a second checkout's cluster, say) holds it,
# recorded in the cluster's postgresql.conf so later calls find it.
#
#   scripts/localdb.sh [DBNAME]   ensure the cluster runs and DBNAME exists; print its URL
#   scripts/localdb.sh stop       stop the cluster
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/.data"
pgdata="$data/pg"
port="${DOCENT_PG_PORT:-}"
db="${1:-docent}"

say() { printf 'localdb: %s\n' "$*" >&2; }
# busy PORT: something listens on 127.0.0.1:PORT.
busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

"$root/scripts/ensure-postgres.sh"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -1)
[ -x "$bindir/initdb" ] || bindir=$(pg_config --bindir)

# PostgreSQL refuses to run as root: as root, run the cluster as the postgres system user.
as=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  as=(runuser -u postgres --)
fi

if [ "$db" = "stop" ]; then
  real=$(readlink -f "$pgdata" 2>/dev/null || echo "$pgdata")
  if [ -f "$real/postmaster.pid" ]; then (cd / && "${as[@]}" "$bindir/pg_ctl" -D "$real" -m fast stop >/dev/null); say "stopped"; fi
  exit 0
fi

mkdir -p "$data"
if [ ! -e "$pgdata/PG_VERSION" ]; then
  if [ -z "$port" ]; then
    port=54329
    while busy "$port" && [ "$port" -lt 54399 ]; do port=$((port + 1)); done
    [ "$port" = 54329 ] || say "port 54329 is taken; this checkout's cluster uses $port (set DOCENT_PG_PORT to choose)"
  fi
  say "creating a PostgreSQL cluster in $pgdata (port $port)"
  target="$pgdata"
  if [ ${#as[@]} -gt 0 ] && ! "${as[@]}" test -x "$data"; then
    # The postgres user cannot reach into this checkout (a home folder with mode 700, say):
    # keep the files where it can, and link them from .data/.
    target="/var/lib/docent/$(printf '%s' "$root" | sha256sum | cut -c1-12)/pg"
    say "the postgres user cannot read $data; the cluster lives in $target"
  fi
  rm -rf "$target"; mkdir -p "$target"
  [ "$target" = "$pgdata" ] || ln -sfn "$target" "$pgdata"
  [ ${#as[@]} -gt 0 ] && chown -R postgres: "$target"
  (cd / && "${as[@]}" "$bindir/initdb" -D "$target" -U docent --auth=trust -E UTF8 --locale=C.UTF-8) >"$data/initdb.log" 2>&1 ||
    { say "initdb failed; see $data/initdb.log"; exit 1; }
  # A quarter of the memory for PostgreSQL's cache, between 128 MB and 4 GB: search is fast
  # while the HNSW index stays in memory (about 2 GB per million 384-dimensional passages).
  mem_mb=$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)
  buffers_mb=$(( mem_mb / 4 )); buffers_mb=$(( buffers_mb < 128 ? 128 : buffers_mb > 4096 ? 4096 : buffers_mb ))
  cat >>"$target/postgresql.conf" <<CONF
# Docent's local cluster: own port and socket.
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$target'
shared_buffers = ${buffers_mb}MB
effective_cache_size = $(( mem_mb / 2 ))MB
maintenance_work_mem = 256MB
max_connections = 200
fsync = on
CONF
fi

# The postgres user may not reach .data/ itself (see above): address the cluster by its real path,
# from a folder every user can enter.
real=$(readlink -f "$pgdata")
if (cd / && "${as[@]}" "$bindir/pg_ctl" -D "$real" status) >/dev/null 2>&1; then
  port=$(sed -n 4p "$real/postmaster.pid")   # the port it runs on now
else
  # The last port line of postgresql.conf is the one chosen at creation.
  [ -n "$port" ] || port=$(sed -n 's/^port = \([0-9][0-9]*\).*/\1/p' "$real/postgresql.conf" | tail -1)
  if busy "$port"; then
    say "port $port is in use by another program; set DOCENT_PG_PORT to a free port (e.g. DOCENT_PG_PORT=54340 make run)"
    exit 1
  fi
  # glibc returns freed memory at the top of a backend's heap once more than 128 KB is free,
  # and the next allocation takes it back, page by page: pgvector frees its working memory
  # after each vector an HNSW build inserts, so the build spent half its CPU shrinking and
  # regrowing the heap (a serial build of 10,710 vectors: 40-42 CPU s, 21-24 s with these). A
  # backend keeps up to 64 MB free for its next allocations instead (README, "Performance and
  # scale"). A cluster started before this takes them at its next start.
  (cd / && "${as[@]}" env MALLOC_TRIM_THRESHOLD_=67108864 MALLOC_TOP_PAD_=16777216 \
    "$bindir/pg_ctl" -D "$real" -l "$real/server.log" -w -t 60 -o "-p $port" start) >/dev/null ||
    { say "PostgreSQL did not start; the log says:"; tail -20 "$real/server.log" >&2; exit 1; }
fi

url="postgres://docent@127.0.0.1:$port/$db?sslmode=disable"
if ! "$bindir/psql" -qtA "postgres://docent@127.0.0.1:$port/postgres" -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  "$bindir/createdb" -h 127.0.0.1 -p "$port" -U docent "$db"
fi
echo "$url"
