#!/usr/bin/env bash
# Install what bench/serve.py measures crtkg against, leaving the project's own venv untouched:
#   wrk and Virtuoso from Debian's packages, and a separate venv (default
#   /tmp/crtkg-bench-venv, or $CRTKG_BENCH_VENV) with rdflib-endpoint, uvicorn, gunicorn,
#   Flask, waitress and pyoxigraph for bench/peer_apps.py.
# Usage: bench/setup.sh            (CRTKG_PYTHON=path/to/project/python to pin versions)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
venv="${CRTKG_BENCH_VENV:-/tmp/crtkg-bench-venv}"
project_python="${CRTKG_PYTHON:-$here/../.venv/bin/python}"
[ -x "$project_python" ] || project_python=python3
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk virtuoso-opensource

# Flask, waitress and pyoxigraph at the project's versions, so the reference apps differ
# from ours only in their code.
pin() {
    "$project_python" -c "import importlib.metadata as m; print('$1==' + m.version('$1'))" \
        2>/dev/null || echo "$1"
}
python3 -m venv "$venv"
"$venv/bin/pip" install -q rdflib-endpoint uvicorn gunicorn "$(pin flask)" "$(pin waitress)" \
    "$(pin pyoxigraph)"
"$venv/bin/pip" list 2>/dev/null | grep -iE '^(rdflib|rdflib-endpoint|uvicorn|gunicorn|fastapi|flask|waitress|pyoxigraph) '
echo "peer venv ready: $venv"
