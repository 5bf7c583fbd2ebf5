#!/bin/sh
# Install Debian's Virtuoso server binary for the push tests, unless it is already there.
# Only virtuoso-opensource-7-bin (virtuoso-t and isql-vt): the tests start it themselves on
# loopback with a database and virtuoso.ini of their own, and stop it by its PID. The
# virtuoso-opensource package itself would also start a system-wide server on the
# default ports, which sendgraph never uses.
set -eu
if [ -x /usr/bin/virtuoso-t ] && [ -x /usr/bin/isql-vt ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    run=""
elif command -v sudo >/dev/null 2>&1; then
    run="sudo"
else
    echo "install-virtuoso: not root and no sudo; install Debian's virtuoso-opensource-7-bin by hand to run the Virtuoso push tests." >&2
    exit 0
fi
$run apt-get update -qq
DEBIAN_FRONTEND=noninteractive $run apt-get install -y -qq virtuoso-opensource-7-bin >/dev/null
