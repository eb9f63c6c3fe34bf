#!/usr/bin/env bash
# Regenerates grove_sdk/_generated from the committed OpenAPI document with a pinned
# openapi-python-client (installed into a venv outside the repository). CI runs it and fails
# when the result differs from what is committed.
#
#   sdks/python/generate.sh            # GROVE_SDK_GEN_VENV: the generator's venv (default /tmp/grove-sdk-gen-venv)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${GROVE_SDK_GEN_VENV:-/tmp/grove-sdk-gen-venv}
if [ ! -x "$VENV/bin/openapi-python-client" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check openapi-python-client==0.29.1
fi
OUT=$(mktemp -d)
"$VENV/bin/openapi-python-client" generate --path "$ROOT/openapi/openapi.json" \
  --output-path "$OUT/gen" --meta none --overwrite >/dev/null 2>&1 || {
  "$VENV/bin/openapi-python-client" generate --path "$ROOT/openapi/openapi.json" --output-path "$OUT/gen" --meta none --overwrite
  exit 1
}
rm -rf "$HERE/grove_sdk/_generated"
mv "$OUT/gen" "$HERE/grove_sdk/_generated"
rm -rf "$OUT"
