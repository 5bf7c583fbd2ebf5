#!/bin/sh
# Install Debian packages for the tests, as root or with sudo; without either, say what to
# install by hand and carry on, since the tests that need them skip outside CI.
# Usage: apt-install.sh WHO WHAT PACKAGE...   (WHO names the caller, WHAT what it is for)
set -eu
who=$1
what=$2
shift 2
if [ "$(id -u)" -eq 0 ]; then
    run=""
elif command -v sudo >/dev/null 2>&1; then
    run="sudo"
else
    echo "$who: not root and no sudo; install Debian's $* by hand to run $what." >&2
    exit 0
fi
$run apt-get update -qq
DEBIAN_FRONTEND=noninteractive $run apt-get install -y -qq "$@" >/dev/null
