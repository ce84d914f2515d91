#!/bin/sh
# need-check.sh: make sure the Check unit-testing library is installed.
#
# The tests and the homework need Check (https://libcheck.github.io/check/) and
# pkg-config to find it. If they are missing, install them when that needs no
# password (we are root, or sudo works without one), saying what we run; otherwise
# print the command for this system and stop.
set -eu

if pkg-config --exists check 2>/dev/null; then
    exit 0
fi

if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    sudo="none"
fi

if command -v apt-get >/dev/null 2>&1; then
    update="apt-get update"
    install="apt-get install -y check pkg-config"
elif command -v dnf >/dev/null 2>&1; then
    update=""
    install="dnf install -y check-devel pkgconf-pkg-config"
elif command -v pacman >/dev/null 2>&1; then
    update=""
    install="pacman -S --noconfirm check pkgconf"
elif command -v brew >/dev/null 2>&1; then
    sudo="" # Homebrew refuses to run as root and needs no sudo
    update=""
    install="brew install check pkg-config"
else
    echo "The tests need the Check library and pkg-config, and I do not know this system's" >&2
    echo "package manager. Install 'check' and 'pkg-config', then run make test again." >&2
    exit 1
fi

if [ "$sudo" = none ]; then
    echo "The tests need the Check library. Install it with:" >&2
    [ -n "$update" ] && echo "    sudo $update" >&2
    echo "    sudo $install" >&2
    echo "then run make test again." >&2
    exit 1
fi

echo "Check is missing; installing it:"
if [ -n "$update" ]; then
    echo "    $sudo $update"
    $sudo $update >/dev/null
fi
echo "    $sudo $install"
$sudo $install >/dev/null
pkg-config --exists check || {
    echo "Check still not found by pkg-config after installing." >&2
    exit 1
}
