#!/usr/bin/env bash
# Retrieval with the local model in int8 against the same in f32, per corpus: each corpus is
# ingested twice into fresh data directories (GROVE_EMBEDDING__PRECISION=f32, then int8),
# every question is asked in every mode, and both rankings are scored by `grove eval score`
# (hit@5, MRR@10, recall@10). The gate of the embedding-speed issue: int8 within 0.005 of
# f32 on every corpus; and the default agent's answer and decline rates in each precision
# (whether the calibration, fitted in f32, still holds).
#
#   eval/precision.sh [CORPUS ...]     # default: rust-book cargo-book rust-reference python-docs
#
# GROVE_BIN: a release grove binary (default target/release/grove); GROVE_CORPORA as in
# eval/corpora.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GROVE=${GROVE_BIN:-$ROOT/target/release/grove}
CORPORA_DIR=${GROVE_CORPORA:-/tmp/grove-corpora}
CORPORA=("$@")
[ ${#CORPORA[@]} -gt 0 ] || CORPORA=(rust-book cargo-book rust-reference python-docs)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for corpus in "${CORPORA[@]}"; do
  questions=$ROOT/eval/$corpus/questions.tsv
  "$ROOT/eval/corpora.sh" "$CORPORA_DIR" "$corpus" >&2
  for precision in f32 int8; do
    data=$WORK/$corpus-$precision
    "$GROVE" init --data-dir "$data" --json >/dev/null
    started=$(date +%s.%N)
    ingest=$(GROVE_EMBEDDING__PRECISION=$precision "$GROVE" ingest dir "$CORPORA_DIR/$corpus" --name "$corpus" --data-dir "$data")
    echo "$corpus $precision: $ingest ($(echo "$(date +%s.%N) - $started" | bc) s)" >&2
    ds=$(grep -o 'ds_[A-Za-z0-9_-]*' <<<"$ingest" | head -n1)
    # Keep the default agent's answer and decline rates: the calibration, unchanged or not.
    GROVE_EMBEDDING__PRECISION=$precision "$GROVE" eval retrieval --questions "$questions" \
      --data-source "$ds" --data-dir "$data" --rankings-out "$WORK/$corpus-$precision.jsonl" \
      | grep '^default agent' | sed "s/^/$corpus $precision: /" >&2
    # Name the rankings after the precision, so the score table tells them apart.
    sed -i "s/\"system\":\"[^\"]*\"/\"system\":\"$precision\"/" "$WORK/$corpus-$precision.jsonl"
  done
  echo "== $corpus"
  "$GROVE" eval score --questions "$questions" --rankings "$WORK/$corpus-f32.jsonl" \
    --rankings "$WORK/$corpus-int8.jsonl"
done
