#!/usr/bin/env bash
# The main job in one command: set up (install PostgreSQL and libpq if missing, build), then run the
# demo on the embedded default database (a private PostgreSQL cluster under $JOURNEYLAB_HOME, default
# ~/.journeylab; the demo uses a fresh `journeylab_demo` database in it on every run).
#   scripts/demo.sh [--seed N] [--deals N] [--output report.html] [--format json]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .build/debug/journeylab demo "$@"
