#!/usr/bin/env bash
# Runs every test of the solution against a real PostgreSQL and ends with "N passed, N failed[, N skipped]".
#
# Where the server comes from, in order:
#   1. AGENTMEMORY_TEST_POSTGRES, if set (a connection string to a server; tests create and drop their own schemas).
#   2. Testcontainers, if a Docker engine answers (`docker info`): the test fixture starts postgres:15 itself.
#   3. Otherwise a throwaway local server: initdb into a temporary folder, 127.0.0.1 on a free port, run as the
#      `postgres` user when this script runs as root, stopped and removed at the end (also on failure). The Debian
#      package is installed first when the server binaries are missing and this script runs as root.
#
# Usage: tests/run-tests.sh [extra dotnet test arguments]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

pg_dir=""
pg_user=""
pg_bin=""

as_pg() {
  if [[ -n "$pg_user" ]]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi
}

cleanup() {
  if [[ -n "$pg_dir" && -d "$pg_dir" ]]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT INT TERM

find_pg_bin() {
  local candidate
  for candidate in /usr/lib/postgresql/*/bin; do
    if [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]]; then
      echo "$candidate"
    fi
  done | sort -V | tail -n 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

start_local_postgres() {
  pg_bin="$(find_pg_bin)"
  if [[ -z "$pg_bin" ]]; then
    if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null; then
      echo "PostgreSQL server binaries not found; installing the Debian package." >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
      pg_bin="$(find_pg_bin)"
    fi
    if [[ -z "$pg_bin" ]]; then
      echo "No PostgreSQL server: set AGENTMEMORY_TEST_POSTGRES, start a Docker engine, or install the postgresql package." >&2
      exit 2
    fi
  fi

  if [[ "$(id -u)" == "0" ]]; then
    pg_user="postgres"
    id "$pg_user" >/dev/null 2>&1 || useradd --system --no-create-home "$pg_user"
  fi

  pg_dir="$(mktemp -d /tmp/agentmemory-pg.XXXXXX)"
  chmod 755 "$pg_dir"
  [[ -n "$pg_user" ]] && chown "$pg_user" "$pg_dir"
  local port
  port="$(free_port)"
  as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; exit 2; }
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$pg_dir/server.log" >&2; exit 2; }

  export AGENTMEMORY_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  # What the outage tests need to stop and start this server.
  export AGENTMEMORY_TEST_PG_CTL="$pg_bin/pg_ctl"
  export AGENTMEMORY_TEST_PG_DATA="$pg_dir/data"
  export AGENTMEMORY_TEST_PG_OPTIONS="-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  export AGENTMEMORY_TEST_PG_LOG="$pg_dir/server.log"
  export AGENTMEMORY_TEST_PG_USER="$pg_user"
  echo "Started a throwaway PostgreSQL ($("$pg_bin/postgres" --version)) on 127.0.0.1:$port." >&2
}

if [[ -n "${AGENTMEMORY_TEST_POSTGRES:-}" ]]; then
  echo "Using the PostgreSQL server from AGENTMEMORY_TEST_POSTGRES." >&2
elif command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; then
  echo "A Docker engine answers: the tests start PostgreSQL with Testcontainers." >&2
else
  start_local_postgres
fi

cd "$root"
status=0
dotnet test AgentMemory.sln -c Release --logger "trx" --results-directory "$results" "$@" || status=$?

# The summary comes from the test results themselves, not from the console.
summary="$(python3 - "$results" "$status" <<'EOF'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)
for f in files:
    counters = ET.parse(f).getroot().find(".//{*}ResultSummary/{*}Counters")
    if counters is None:
        continue
    a = lambda n: int(counters.get(n, "0"))
    passed += a("passed")
    failed += a("failed") + a("error") + a("timeout") + a("aborted")
    skipped += a("notExecuted") + a("inconclusive")
if sys.argv[2] != "0" and failed == 0:
    # dotnet test failed without a failed test: the build or the test host failed. Count it, never hide it.
    print("dotnet test failed outside any test (build error or crashed test host); counted as one failure.", file=sys.stderr)
    failed = 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
EOF
)"
if [[ "$status" == "0" && "$summary" == 0\ passed* ]]; then status=1; fi
echo "$summary"
exit "$status"
