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
exec sh "$(dirname "$0")/apt-install.sh" install-virtuoso "the Virtuoso push tests" virtuoso-opensource-7-bin
