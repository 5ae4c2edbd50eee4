#!/usr/bin/env bash
# Creates (once) the Python venv with the official azure-keyvault-secrets SDK that the
# conformance test drives against the local vault. Prints the venv's python.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${KVTUI_SDK_VENV:-$root/target/python-sdk-venv}"
stamp="$venv/.kvtui-installed"
requirements="$root/tests/python/requirements.txt"
if ! command -v python3 >/dev/null; then
  echo "ensure-venv.sh: python3 not found; install python3 and python3-venv" >&2
  exit 1
fi
mkdir -p "$(dirname "$venv")"
# CI runs this before `cargo test`, which runs it again, and other builds may share target/:
# one creator at a time, and nobody reads a half-built venv.
exec 9>"$venv.lock"
if command -v flock >/dev/null; then
  flock 9
fi
if [ ! -f "$stamp" ] || ! cmp -s "$requirements" "$stamp"; then
  # --clear: a venv left half-made (say, before python3-venv was installed) is rebuilt, not reused.
  python3 -m venv --clear "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$stamp"
fi
echo "$venv/bin/python"
