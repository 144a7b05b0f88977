#!/usr/bin/env bash
# Installs the third-party programs a module's tests drive, so that `mvn -B verify` on a clean
# machine needs nothing else. Each argument is a Debian package, optionally as PACKAGE=COMMAND:
# the package counts as present when dpkg has it or when COMMAND (default: the package's name)
# is on the PATH, so tools installed some other way are used as they are.
set -euo pipefail
missing=()
for spec in "$@"; do
  package="${spec%%=*}"
  command="${spec#*=}"
  dpkg -s "$package" >/dev/null 2>&1 && continue
  command -v "$command" >/dev/null 2>&1 && continue
  missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-tools: ${missing[*]} missing and not running as root; install the Debian packages (apt-get install ${missing[*]})" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-tools: ${missing[*]} missing and apt-get is not available; install them by hand" >&2
  exit 1
fi
echo "install-test-tools: installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
# Several builds may share a machine: apt's own lock makes a second install wait, not fail.
apt-get update -q >&2 || { echo "install-test-tools: apt-get update failed" >&2; exit 1; }
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2 \
  || { echo "install-test-tools: apt-get install ${missing[*]} failed" >&2; exit 1; }
