#!/usr/bin/env bash
# Debian packages the estate needs beyond Python: installs the missing ones when run as
# root, otherwise names the command to run. Usage: scripts/system-deps.sh test|demo
set -euo pipefail

case "${1:-test}" in
  # mosquitto: end-to-end tests on a real broker; xvfb + mesa + xauth: the kiosk's window
  # under a virtual screen; fonts-noto-cjk: Chinese text (the kiosk, and the monthly
  # report's PDF: controlroom/reports/export.py); chromium: the browser tests;
  # postgresql: the database tests' second pass (the tests start a server of their own);
  # nats-server: the 3-node NATS cluster of the gateway-replica tests and bench-scale;
  # nginx: the shipped reverse-proxy configuration in front of two control rooms (deploy/);
  # systemd: `systemd-analyze verify` of the shipped units.
  test) packages=(mosquitto nats-server xvfb xauth libgl1 libgl1-mesa-dri libegl1 fonts-noto-cjk
                  chromium postgresql nginx systemd) ;;
  demo) packages=(libgl1 libgl1-mesa-dri libegl1 fonts-noto-cjk) ;;
  *) echo "usage: $0 test|demo" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian system; install the equivalents of: ${packages[*]}" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "system-deps: installing ${missing[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "system-deps: done"
else
  echo "system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "system-deps: run:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
