#!/usr/bin/env bash
# Prepares the eval corpora as plain directories of pages that Grove (`grove ingest dir`)
# and the peer baseline (eval/peers/peer.py) both read. Only .html, .htm, .md and .txt
# files are copied, keeping the directory structure.
#
#   eval/corpora.sh [DIR] [CORPUS ...]   # DIR default: $GROVE_CORPORA or /tmp/grove-corpora
#
# Corpora (default: all of them):
#   rust-book       the Rust book from the toolchain, without its 2018-edition,
#                   first-edition and second-edition redirect trees
#   cargo-book      the Cargo book from the toolchain
#   rust-reference  the Rust reference from the toolchain (held out)
#   python-docs     Python 3.11's tutorial, faq, howto, reference, using and glossary
#                   (Debian's python3.11-doc, installed with apt-get when missing)
# mdBook's whole-book print.html, its toc.html and 404.html are left out (not pages of
# their own; the README's `ingest dir` example leaves them out the same way).
set -euo pipefail

DIR=${1:-${GROVE_CORPORA:-/tmp/grove-corpora}}
shift || true
CORPORA=("$@")
[ ${#CORPORA[@]} -gt 0 ] || CORPORA=(rust-book cargo-book rust-reference python-docs)

RUST_HTML="$(rustc --print sysroot)/share/doc/rust/html"
PY_HTML=/usr/share/doc/python3.11/html

# copy SRC DEST [rsync filter args...]: the pages under SRC into DEST, fresh.
copy() {
  local src=$1 dest=$2
  shift 2
  [ -d "$src" ] || { echo "corpora.sh: $src is missing" >&2; exit 1; }
  rm -rf "$dest"
  mkdir -p "$dest"
  rsync -a --copy-links --prune-empty-dirs "$@" \
    --exclude '/print.html' --exclude '/toc.html' --exclude '/404.html' \
    --include '*/' --include '*.html' --include '*.htm' --include '*.md' --include '*.txt' \
    --exclude '*' "$src/" "$dest/"
}

for corpus in "${CORPORA[@]}"; do
  out="$DIR/$corpus"
  case "$corpus" in
    rust-book)
      copy "$RUST_HTML/book" "$out" \
        --exclude '/2018-edition/' --exclude '/first-edition/' --exclude '/second-edition/'
      ;;
    cargo-book) copy "$RUST_HTML/cargo" "$out" ;;
    rust-reference) copy "$RUST_HTML/reference" "$out" ;;
    python-docs)
      if [ ! -f "$PY_HTML/glossary.html" ]; then
        echo "corpora.sh: installing python3.11-doc" >&2
        apt-get install -y -qq python3.11-doc >/dev/null || { apt-get update -qq && apt-get install -y -qq python3.11-doc >/dev/null; }
      fi
      rm -rf "$out"
      mkdir -p "$out"
      for part in tutorial faq howto reference using; do
        copy "$PY_HTML/$part" "$out/$part"
      done
      cp -L "$PY_HTML/glossary.html" "$out/glossary.html"
      ;;
    *) echo "corpora.sh: unknown corpus $corpus (rust-book, cargo-book, rust-reference, python-docs)" >&2; exit 2 ;;
  esac
  echo "$corpus: $(find "$out" -type f | wc -l) files in $out"
done
