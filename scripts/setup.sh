#!/usr/bin/env bash
# Installs what JourneyLab needs on a Debian/Ubuntu machine (PostgreSQL server and client library,
# pkg-config) and builds it. Safe to run twice; quiet when nothing is missing.
#   scripts/setup.sh            install missing packages, then `swift build`
#   scripts/setup.sh --no-build only install
#   scripts/setup.sh --no-build --with-test-tools   also what the tests use (headless chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

build=yes
packages=(postgresql postgresql-contrib libpq-dev pkg-config)
for argument in "$@"; do
    case "$argument" in
    --no-build) build=no ;;
    --with-test-tools) packages+=(chromium) ;;
    *) echo "setup: unknown option $argument (use --no-build, --with-test-tools)" >&2; exit 2 ;;
    esac
done
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: the Swift 6 toolchain is not on PATH: install it from swift.org (or add /opt/swift/usr/bin to PATH)" >&2
    exit 1
fi

if [ "$build" = yes ]; then
    if ! swift build >.build-setup.log 2>&1; then
        grep -E "error:" .build-setup.log | head -40 >&2 || tail -40 .build-setup.log >&2
        echo "setup: the build failed (full log: .build-setup.log)" >&2
        exit 1
    fi
fi
