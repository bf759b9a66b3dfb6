#!/usr/bin/env bash
# Installs what the tests need beyond Java 17 and Maven, then runs every test.
# Used by .ci/run; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

packages=()          # Debian packages the tests need (none yet beyond Maven)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

mvn -B -Dstyle.color=never verify

# the main job, as a user runs it, in a scratch folder
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && "$OLDPWD/cdr" demo --calls 300 >/dev/null)
echo "test-all: every test passed and ./cdr demo ran"
