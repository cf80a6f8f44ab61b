#!/bin/sh
# CaRB benchmark of `kg openie` (see bench/carb.py): bench/carb.sh [--workers 2] [--keep DIR]
here=$(cd "$(dirname "$0")/.." && pwd)
py="$here/.venv/bin/python"
[ -x "$py" ] || py=python3
exec "$py" "$here/bench/carb.py" "$@"
