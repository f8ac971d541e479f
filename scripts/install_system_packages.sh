#!/usr/bin/env bash
# System packages the test suites use: Debian's Chromium (browser tests, driven by Playwright
# without any browser download), docker-compose (validates docker-compose.yml without an
# engine) and PostgreSQL (the referral service's tests run against SQLite and Postgres).
# Installs what is missing with apt-get when run as root; otherwise says what to install.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]} (install them with your package manager; the tests that need them are skipped)" >&2
fi
exit 0
