#!/usr/bin/env bash
# Install the Debian packages the test suite needs (real peers: dig, dhclient, xmllint, ...).
# Usage: .ci/install-packages.sh [LIST]   (default .ci/packages.txt: one package a line, # comments)
# Only packages not yet installed are installed, with one `apt-get update`; nothing happens
# unless we are root. A package that cannot be installed is reported, not fatal: the tests that
# need it fail under CI=true with their own reason, and the rest of the suite still runs.
set -euo pipefail

list="${1:-$(dirname "$0")/packages.txt}"
if [[ ! -f "$list" ]]; then
  echo "install-packages: no $list, nothing to install"
  exit 0
fi

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$' | sort -u)
missing=()
for pkg in "${wanted[@]}"; do
  if dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed; then continue; fi
  missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-packages: all ${#wanted[@]} Debian packages already installed"
  exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-packages: not root, cannot install: ${missing[*]}" >&2
  exit 0
fi

echo "install-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Daemons among the peers (dnsmasq, kea, coturn, ...) must not start on install: they would hold
# ports 53/67/3478 the tests bind. policy-rc.d exit 101 = "action forbidden" (Debian policy §9.3.3).
created_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if [[ $created_policy -eq 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

apt_get() { apt-get -q -o DPkg::Lock::Timeout=300 "$@"; }
apt_get update
if ! apt_get install -y --no-install-recommends "${missing[@]}"; then
  # One bad name must not keep the others out: retry one by one and name the failures.
  failed=()
  for pkg in "${missing[@]}"; do
    apt_get install -y --no-install-recommends "$pkg" || failed+=("$pkg")
  done
  if [[ ${#failed[@]} -gt 0 ]]; then
    echo "install-packages: WARNING: could not install: ${failed[*]}" >&2
  fi
fi
