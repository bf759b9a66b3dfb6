#!/usr/bin/env bash
# Installs what the tests need beyond Java 17 and Maven, then runs every test.
# Used by .ci/run; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

packages=(postgresql chromium chromium-driver)   # Debian packages the tests need beyond Maven (the browser tests use Chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

if [ "$(id -u)" != 0 ]; then SUDO=sudo; AS_PG="sudo -u postgres"; else SUDO=; AS_PG="runuser -u postgres --"; fi

# PostgreSQL for the shared-catalog tests: started as its own user (it refuses root), with a
# login the tests use to create a scratch database each.
version="$(ls /etc/postgresql | sort -V | tail -1)"
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
  $SUDO pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do $AS_PG psql -q -tAc "SELECT 1" >/dev/null 2>&1 && break; sleep 1; done
$AS_PG psql -q -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'cdr'" | grep -q 1 \
  || $AS_PG psql -q -c "CREATE ROLE cdr LOGIN SUPERUSER PASSWORD 'cdr'"
export CDR_TEST_POSTGRES_URL="${CDR_TEST_POSTGRES_URL:-jdbc:postgresql://127.0.0.1:5432/postgres?user=cdr&password=cdr}"

# no raw colour codes in the build's output: Maven 3.8's jansi writes ESC[0m to stdout and stderr
# when it uninstalls at exit, even with -Dstyle.color=never; .mvn/jvm.config sets jansi.noreset
if mvn -q -B -Dstyle.color=never validate 2>&1 | grep -q $'\e'; then
  echo "test-all: mvn printed raw colour codes (see .mvn/jvm.config)" >&2
  exit 1
fi

mvn -B -Dstyle.color=never -Pall-tests verify

# the main job, as a user runs it, in a scratch folder
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && "$OLDPWD/cdr" demo --calls 300 >/dev/null)
echo "test-all: every test passed and ./cdr demo ran"
