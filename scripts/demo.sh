#!/usr/bin/env bash
# The main job in one command: set up (install, build), then run the demo on the embedded default
# database (a private PostgreSQL cluster under $JOURNEYLAB_HOME, default ~/.journeylab).
#   scripts/demo.sh [--seed N] [other `journeylab demo` options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if .build/debug/journeylab help demo >/dev/null 2>&1; then
    exec .build/debug/journeylab demo "$@"
fi
exec .build/debug/journeylab db status
