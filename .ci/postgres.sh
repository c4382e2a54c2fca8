#!/usr/bin/env bash
# Install, start and prepare PostgreSQL + PostGIS for garant's PostGIS store tests.
#
# Idempotent; for a fresh Debian (12 "bookworm" or later) machine. Runs as root, or uses sudo.
# Afterwards the tests reach the store at
#   postgresql://postgres@localhost/garant_test
# (override the database with GARANT_TEST_DB; the tests read GARANT_TEST_POSTGRES_URL).
# Loopback connections to that one database by the postgres role need no password
# (a "trust" line in pg_hba.conf, limited to 127.0.0.1/::1 and that database):
# a throwaway CI database, never a production setup.
set -euo pipefail

DB="${GARANT_TEST_DB:-garant_test}"
if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

# 1. Packages: the server and PostGIS built for the distribution's PostgreSQL
#    (postgresql-postgis depends on postgresql-<major>-postgis-3 and its scripts).
if ! command -v pg_lsclusters >/dev/null || ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends postgresql postgresql-postgis >/dev/null
fi
# The newest installed major version that has a PostGIS extension.
VERSION=$(ls -d /usr/share/postgresql/*/extension/postgis.control | sed -E 's#.*/postgresql/([0-9]+)/.*#\1#' | sort -n | tail -1)

# 2. A cluster, started.
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main"' | grep -q .; then
    "${SUDO[@]}" pg_createcluster "$VERSION" main >/dev/null
fi
HBA="/etc/postgresql/$VERSION/main/pg_hba.conf"
if ! grep -q "garant-test" "$HBA"; then
    # pg_hba is read top-down: put the test lines first.
    {
        echo "host $DB postgres 127.0.0.1/32 trust  # garant-test"
        echo "host $DB postgres ::1/128 trust  # garant-test"
        cat "$HBA"
    } | "${SUDO[@]}" tee "$HBA.garant" >/dev/null
    "${SUDO[@]}" mv "$HBA.garant" "$HBA"
    "${SUDO[@]}" chown postgres:postgres "$HBA"
    RELOAD=1
fi
if pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    [[ -n "${RELOAD:-}" ]] && "${SUDO[@]}" pg_ctlcluster "$VERSION" main reload
else
    "${SUDO[@]}" pg_ctlcluster "$VERSION" main start
fi
for _ in $(seq 30); do
    pg_isready -q -h localhost && break
    sleep 1
done
pg_isready -h localhost

# 3. The test database with PostGIS.
if ! as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    as_postgres createdb "$DB"
fi
as_postgres psql -q -d "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS postgis"
psql "postgresql://postgres@localhost/$DB" -tAc "SELECT 'garant test database ready: PostgreSQL ' || current_setting('server_version') || ', PostGIS ' || postgis_lib_version()"
