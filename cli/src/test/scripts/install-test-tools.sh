#!/usr/bin/env bash
# Installs the headless browser the dashboard's browser test drives: Debian's chromium and its
# chromedriver. Runs in the process-test-resources phase so that `mvn -B verify` on a clean
# machine needs nothing else, and so that Selenium never tries to download a browser or driver.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
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
# Several builds may share a machine: apt's own lock makes a second install wait, not fail.
apt-get update -q >&2 || { echo "install-test-tools: apt-get update failed" >&2; exit 1; }
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2 \
  || { echo "install-test-tools: apt-get install ${missing[*]} failed" >&2; exit 1; }
