#!/usr/bin/env bash
# Answer quality per corpus: indexes the corpus's pages (once; --fresh again) and runs
# `grove eval answers` over eval/<corpus>/answers.tsv, printing each answerer's gold-sentence
# hit, headings or questions, cited-source precision, length and latency.
#
#   eval/answers.sh [--fresh] [--sentences N] [CORPUS ...]
#
# Corpora: rust-book, cargo-book, python-docs (the default set) and rust-reference (held
# out: run only when named). Environment: GROVE_CORPORA (default /tmp/grove-corpora),
# GROVE_ANSWERS_DIR (data dirs, default /tmp/grove-answers), GROVE_MODELS_DIR (default
# ./models), GROVE_BIN (a grove binary instead of building target/release/grove).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FRESH=0
SENTENCES=()
CORPORA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) FRESH=1 ;;
    --sentences) SENTENCES=(--sentences "$2"); shift ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "answers.sh: unknown flag $1" >&2; exit 2 ;;
    *) CORPORA+=("$1") ;;
  esac
  shift
done
[ ${#CORPORA[@]} -gt 0 ] || CORPORA=(rust-book cargo-book python-docs)

CORPORA_DIR=${GROVE_CORPORA:-/tmp/grove-corpora}
WORK=${GROVE_ANSWERS_DIR:-/tmp/grove-answers}
export GROVE_MODELS_DIR=${GROVE_MODELS_DIR:-$ROOT/models}
mkdir -p "$WORK"

if [ -n "${GROVE_BIN:-}" ]; then
  GROVE=$GROVE_BIN
else
  (cd "$ROOT" && cargo build --release -p grove --quiet)
  GROVE=$ROOT/target/release/grove
fi
"$ROOT/scripts/fetch-models.sh" "$GROVE_MODELS_DIR" >&2

for corpus in "${CORPORA[@]}"; do
  answers=$ROOT/eval/$corpus/answers.tsv
  [ -f "$answers" ] || { echo "answers.sh: $corpus: skipped, no $answers" >&2; continue; }
  data=$WORK/$corpus
  if [ "$FRESH" = 1 ] || [ ! -s "$data/source-id" ]; then
    "$ROOT/eval/corpora.sh" "$CORPORA_DIR" "$corpus" >&2
    rm -rf "$data"
    "$GROVE" init --data-dir "$data" --json >/dev/null
    ingest=$("$GROVE" ingest dir "$CORPORA_DIR/$corpus" --name "$corpus" --data-dir "$data")
    echo "answers.sh: $corpus: $ingest" >&2
    grep -o 'ds_[A-Za-z0-9_-]*' <<<"$ingest" | head -n1 >"$data/source-id"
  fi
  echo "== $corpus"
  followups=()
  [ -f "$ROOT/eval/$corpus/followups.tsv" ] && followups=(--followups "$ROOT/eval/$corpus/followups.tsv")
  [ -f "$ROOT/eval/$corpus/questions.tsv" ] && followups+=(--strategies "$ROOT/eval/$corpus/questions.tsv")
  "$GROVE" eval answers --answers "$answers" --data-source "$(cat "$data/source-id")" \
    --data-dir "$data" "${SENTENCES[@]}" "${followups[@]}"
done
