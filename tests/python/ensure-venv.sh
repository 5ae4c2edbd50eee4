#!/usr/bin/env bash
# Creates (once) the Python venv with the official azure-keyvault-secrets SDK that the
# conformance test drives against the local vault. Prints the venv's python.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${KVTUI_SDK_VENV:-$root/target/python-sdk-venv}"
stamp="$venv/.kvtui-installed"
requirements="$root/tests/python/requirements.txt"
if [ ! -f "$stamp" ] || ! cmp -s "$requirements" "$stamp"; then
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$stamp"
fi
echo "$venv/bin/python"
