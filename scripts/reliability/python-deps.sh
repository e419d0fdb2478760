#!/usr/bin/env bash
# Prints the Python interpreter the reliability checks use, after making sure it has the pinned packages of
# scripts/reliability/requirements.txt: quiet when they are there; otherwise `pip install -r` (once), or, when
# the system Python refuses (PEP 668, externally managed), a virtual environment under .build.
#   python=$(bash scripts/reliability/python-deps.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
requirements=scripts/reliability/requirements.txt
venv=.build/reliability-venv

have_packages() {
    "$1" - "$requirements" <<'PY' 2>/dev/null
import importlib.metadata as md, re, sys
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, version = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", line).groups()
        if md.version(name) != version:
            sys.exit(1)
import requests, schemathesis, psycopg, yaml  # noqa: F401
PY
}

if have_packages python3; then echo python3; exit 0; fi
if [ -x "$venv/bin/python" ] && have_packages "$venv/bin/python"; then echo "$venv/bin/python"; exit 0; fi
mkdir -p .build
echo "reliability: installing the Python packages of $requirements (once)" >&2
if python3 -m pip install -q --disable-pip-version-check -r "$requirements" >.build/reliability-pip.log 2>&1 \
    && have_packages python3; then
    echo python3
    exit 0
fi
if python3 -m venv "$venv" >>.build/reliability-pip.log 2>&1 \
    && "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" >>.build/reliability-pip.log 2>&1 \
    && have_packages "$venv/bin/python"; then
    echo "$venv/bin/python"
    exit 0
fi
tail -20 .build/reliability-pip.log >&2
echo "reliability: could not install $requirements (log: .build/reliability-pip.log)" >&2
exit 1
