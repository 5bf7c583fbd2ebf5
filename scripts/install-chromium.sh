#!/bin/sh
# Install Debian's chromium for the browser tests, and curl for the endpoint tests,
# unless they are already there.
# Playwright drives it by path (/usr/bin/chromium); `playwright install` is never used,
# because it downloads a browser build of its own.
set -eu
if [ -x /usr/bin/chromium ] && command -v curl >/dev/null 2>&1; then
    exit 0
fi
exec sh "$(dirname "$0")/apt-install.sh" install-chromium "the browser tests" chromium curl
