#!/usr/bin/env bash
# Installs the third-party programs the simulator-adapter tests drive: kcat (a Kafka client that
# is not ours, to prove direct producers work) and python3 (the example simulator). Runs in the
# process-test-resources phase so that `mvn -B verify` on a clean machine needs nothing else.
set -euo pipefail
missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-tools: ${missing[*]} missing and not running as root; install the Debian packages '${missing[*]}' (apt-get install ${missing[*]})" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-tools: ${missing[*]} missing and apt-get is not available; install them by hand" >&2
  exit 1
fi
echo "install-test-tools: installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2 || { echo "install-test-tools: apt-get update failed" >&2; exit 1; }
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
  || { echo "install-test-tools: apt-get install ${missing[*]} failed" >&2; exit 1; }
