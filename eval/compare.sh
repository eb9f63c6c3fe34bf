#!/usr/bin/env bash
# Grove against the peer baseline (eval/peers/): for each corpus, index the same pages with
# both, rank every question of eval/<corpus>/questions.tsv in every mode, score both with
# `grove eval score` (Grove's one scoring implementation) and print one table.
#
#   eval/compare.sh [--fresh] [CORPUS ...]
#
# Corpora: rust-book, cargo-book, python-docs (the default set) and rust-reference (held
# out: run only when named). A corpus without a questions.tsv is skipped.
# --fresh recomputes the peer's rankings instead of reusing its cache.
#
# Environment: GROVE_CORPORA (corpus directories, default /tmp/grove-corpora),
# GROVE_COMPARE_DIR (Grove data dirs and rankings, default /tmp/grove-compare),
# GROVE_PEERS_CACHE (peer rankings, default ~/.cache/grove-peers), GROVE_PEERS_VENV
# (default ~/.cache/grove-peers-venv, created from eval/peers/requirements.txt),
# GROVE_MODELS_DIR (default ./models, filled by scripts/fetch-models.sh), GROVE_BIN (a
# grove binary to use instead of building target/release/grove).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FRESH=0
CORPORA=()
for arg in "$@"; do
  case "$arg" in
    --fresh) FRESH=1 ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "compare.sh: unknown flag $arg" >&2; exit 2 ;;
    *) CORPORA+=("$arg") ;;
  esac
done
[ ${#CORPORA[@]} -gt 0 ] || CORPORA=(rust-book cargo-book python-docs)

CORPORA_DIR=${GROVE_CORPORA:-/tmp/grove-corpora}
WORK=${GROVE_COMPARE_DIR:-/tmp/grove-compare}
CACHE=${GROVE_PEERS_CACHE:-$HOME/.cache/grove-peers}
VENV=${GROVE_PEERS_VENV:-$HOME/.cache/grove-peers-venv}
export GROVE_MODELS_DIR=${GROVE_MODELS_DIR:-$ROOT/models}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
mkdir -p "$WORK" "$CACHE"

log() { echo "compare.sh: $*" >&2; }

# Grove: the release binary, up to date.
if [ -n "${GROVE_BIN:-}" ]; then
  GROVE=$GROVE_BIN
else
  log "building grove (release)"
  (cd "$ROOT" && cargo build --release -p grove --quiet)
  GROVE=$ROOT/target/release/grove
fi
"$ROOT/scripts/fetch-models.sh" "$GROVE_MODELS_DIR" >&2

# The peer's venv, outside the repository; reinstalled when requirements.txt changes.
REQ=$ROOT/eval/peers/requirements.txt
REQ_SUM=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.grove-requirements.sha256" 2>/dev/null)" != "$REQ_SUM" ]; then
  log "installing the peer's Python stack into $VENV (torch from PyPI brings its CUDA wheels: ~6 GB)"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r "$REQ"
  echo "$REQ_SUM" >"$VENV/.grove-requirements.sha256"
fi

ROWS=()
for corpus in "${CORPORA[@]}"; do
  questions=$ROOT/eval/$corpus/questions.tsv
  if [ ! -f "$questions" ]; then
    log "$corpus: skipped, no $questions"
    continue
  fi
  "$ROOT/eval/corpora.sh" "$CORPORA_DIR" "$corpus" >&2
  pages=$CORPORA_DIR/$corpus
  out=$WORK/$corpus
  mkdir -p "$out"

  # Grove: a fresh data dir, the pages, every question in every mode.
  data=$out/grove-data
  rm -rf "$data"
  "$GROVE" init --data-dir "$data" --json >/dev/null
  ingest=$("$GROVE" ingest dir "$pages" --name "$corpus" --data-dir "$data")
  log "$corpus: grove $ingest"
  ds=$(grep -o 'ds_[A-Za-z0-9_-]*' <<<"$ingest" | head -n1)
  "$GROVE" eval retrieval --questions "$questions" --data-source "$ds" --data-dir "$data" \
    --rankings-out "$out/grove.jsonl" >"$out/grove-eval.txt"

  # The peer: cached by its code, its stack, the questions and the pages (paths included).
  key=$( {
    sha256sum "$ROOT/eval/peers/peer.py" "$REQ" "$questions" | cut -d' ' -f1
    echo "$pages"
    (cd "$pages" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -c1-16)
  peer=$CACHE/$corpus-$key.jsonl
  if [ "$FRESH" = 1 ] || [ ! -s "$peer" ]; then
    log "$corpus: running the peer (minutes: it embeds every chunk on the CPU)"
    "$VENV/bin/python" "$ROOT/eval/peers/peer.py" "$pages" "$questions" "$peer.tmp" 2>"$out/peer.log" \
      || { cat "$out/peer.log" >&2; exit 1; }
    mv "$peer.tmp" "$peer"
    grep '^peer:' "$out/peer.log" | sed "s/^/compare.sh: $corpus: /" >&2
  else
    log "$corpus: peer rankings from cache ($peer)"
  fi
  cp "$peer" "$out/peer.jsonl"

  # One scoring implementation for both.
  "$GROVE" eval score --questions "$questions" --rankings "$out/grove.jsonl" --rankings "$out/peer.jsonl" \
    >"$out/scores.txt"
  n=$(grep -o '([0-9]* answerable' "$out/scores.txt" | tr -dc 0-9)
  for mode in lexical vector hybrid; do
    g=$(awk -v m="$mode" '$1 == "grove" && $2 == m { printf "%s %s %s", $3, $4, $5 }' "$out/scores.txt")
    p=$(awk -v m="$mode" '$1 == "peer" && $2 == m { printf "%s %s %s", $3, $4, $5 }' "$out/scores.txt")
    ROWS+=("$corpus $n $mode ${g:-- - -} ${p:-- - -}")
  done
done

[ ${#ROWS[@]} -gt 0 ] || { log "no corpus had questions"; exit 1; }
echo
printf '%-15s %4s %-8s | %-26s | %-26s\n' "" "" "" "Grove" "peer (bm25s+MiniLM+RRF)"
printf '%-15s %4s %-8s | %7s %7s %10s | %7s %7s %10s\n' corpus n mode hit@5 MRR@10 recall@10 hit@5 MRR@10 recall@10
for row in "${ROWS[@]}"; do
  # shellcheck disable=SC2086
  printf '%-15s %4s %-8s | %7s %7s %10s | %7s %7s %10s\n' $row
done
