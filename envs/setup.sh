#!/usr/bin/env bash
# Creates .venv with the pinned dependencies on Debian/Ubuntu with Python 3.11. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-$(command -v python3.11 || command -v python3)}
missing=()
command -v g++ >/dev/null || missing+=(g++)
"$python" -c "import ensurepip, venv" 2>/dev/null || missing+=(python3.11-venv)
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -q
    $sudo apt-get install -y -q "${missing[@]}"
fi
"$python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (set PYTHON=...)")'

[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r envs/requirements.txt
# gym3, gym and procgen pin numpy<2, which breaks gym3's own code; their real needs are in requirements.txt.
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -r envs/requirements-nodeps.txt
