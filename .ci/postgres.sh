#!/usr/bin/env bash
# Install (when missing) and start a local PostgreSQL for the migration tests; print its URL.
# Needs root and apt. Used by .ci/run; run it by hand to test against PostgreSQL locally:
#   TEST_POSTGRES_URL=$(bash .ci/postgres.sh) make test
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if [ -z "$(pg_lsclusters -h)" ]; then
  pg_createcluster "$(ls /usr/lib/postgresql | sort -V | tail -1)" main >/dev/null
fi
read -r version name port _ < <(pg_lsclusters -h | head -1)
pg_ctlcluster "$version" "$name" start >/dev/null 2>&1 || true
as_postgres() { su postgres -c "psql -p $port -qtAc \"$1\""; }
[ "$(as_postgres "SELECT 1 FROM pg_roles WHERE rolname='cocreate'")" = 1 ] ||
  as_postgres "CREATE ROLE cocreate LOGIN SUPERUSER PASSWORD 'cocreate'" >/dev/null
[ "$(as_postgres "SELECT 1 FROM pg_database WHERE datname='cocreate_test'")" = 1 ] ||
  as_postgres "CREATE DATABASE cocreate_test OWNER cocreate" >/dev/null
echo "postgresql://cocreate:cocreate@127.0.0.1:$port/cocreate_test"
