#!/usr/bin/env bash
# The browser tests drive Debian's Chromium; install it when missing (as root), or say how.
set -u
CHROMIUM=${COSMO_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium for the browser tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && exit 0
fi
echo "Chromium is missing at $CHROMIUM: install it (apt-get install chromium) or set COSMO_CHROMIUM;" >&2
echo "the browser tests will be skipped." >&2
exit 0
