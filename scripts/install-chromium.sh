#!/bin/sh
# Install Debian's chromium for the browser tests, and curl for the endpoint tests,
# unless they are already there.
# Playwright drives it by path (/usr/bin/chromium); `playwright install` is never used,
# because it downloads a browser build of its own.
set -eu
if [ -x /usr/bin/chromium ] && command -v curl >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    run=""
elif command -v sudo >/dev/null 2>&1; then
    run="sudo"
else
    echo "install-chromium: not root and no sudo; install Debian's chromium by hand to run the browser tests." >&2
    exit 0
fi
$run apt-get update -qq
DEBIAN_FRONTEND=noninteractive $run apt-get install -y -qq chromium curl >/dev/null
