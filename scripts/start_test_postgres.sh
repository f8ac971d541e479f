#!/usr/bin/env bash
# Start a local PostgreSQL for the test suite, idempotently (CI runs this as root).
#
#   - installs Debian's postgresql if missing (apt-get -y, non-interactive),
#   - creates/starts a cluster listening on 127.0.0.1:${PGPORT:-5432} only,
#   - creates the role legalaid/legalaid (LOGIN CREATEDB) and the databases
#     legalaid and legalaid_test owned by it.
#
# Afterwards:  export TEST_POSTGRES_URL=postgresql+psycopg://legalaid:legalaid@127.0.0.1:5432/legalaid_test
set -euo pipefail

PGPORT="${PGPORT:-5432}"
ROLE="legalaid"
PASSWORD="legalaid"
DATABASES=("legalaid" "legalaid_test")

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        sudo -n -u postgres "$@"
    fi
}

if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "start_test_postgres: installing postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi

VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
CLUSTER="main"

if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {found=1} END {exit !found}'; then
    echo "start_test_postgres: creating cluster $VERSION/$CLUSTER on port $PGPORT" >&2
    pg_createcluster --port "$PGPORT" "$VERSION" "$CLUSTER" -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
fi

CONF_DIR="/etc/postgresql/$VERSION/$CLUSTER"
# Loopback only, on the wanted port (conf.d is read after postgresql.conf, so this wins).
mkdir -p "$CONF_DIR/conf.d"
cat >"$CONF_DIR/conf.d/legalaid-test.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
CONF
# Password logins over TCP from loopback (the Debian default already has these; make sure).
HBA="$CONF_DIR/pg_hba.conf"
if ! grep -Eq '^host\s+all\s+all\s+127\.0\.0\.1/32\s+scram-sha-256' "$HBA"; then
    echo "host    all             all             127.0.0.1/32            scram-sha-256" >>"$HBA"
fi

STATUS="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $4}')"
if [ "$STATUS" != "online" ]; then
    echo "start_test_postgres: starting cluster $VERSION/$CLUSTER" >&2
    pg_ctlcluster "$VERSION" "$CLUSTER" start
else
    pg_ctlcluster "$VERSION" "$CLUSTER" reload
fi

# Wait until it accepts connections.
for _ in $(seq 1 30); do
    if as_postgres psql -p "$PGPORT" -h /var/run/postgresql -Atqc "select 1" >/dev/null 2>&1; then
        break
    fi
    sleep 1
done

psql_admin() {
    as_postgres psql -p "$PGPORT" -h /var/run/postgresql -v ON_ERROR_STOP=1 -Atq "$@"
}

if [ "$(psql_admin -c "select 1 from pg_roles where rolname = '$ROLE'")" != "1" ]; then
    psql_admin -c "create role $ROLE login createdb password '$PASSWORD'"
else
    psql_admin -c "alter role $ROLE login createdb password '$PASSWORD'"
fi
for db in "${DATABASES[@]}"; do
    if [ "$(psql_admin -c "select 1 from pg_database where datname = '$db'")" != "1" ]; then
        psql_admin -c "create database $db owner $ROLE"
    fi
done

# Check the TCP login the tests use.
PGPASSWORD="$PASSWORD" psql -h 127.0.0.1 -p "$PGPORT" -U "$ROLE" -d legalaid_test -Atqc "select 1" >/dev/null
echo "start_test_postgres: ready: postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PGPORT/legalaid_test"
