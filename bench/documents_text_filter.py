"""The documents text filter's two SQL forms side by side, on one machine.

The console's document list filters 100,000 documents of one data source
by a substring of title, URL or source key (crates/grove-store/src/sqlite/
documents.rs). This times the count and the last page, as the store runs
them, with `instr(lower(col), ?)` (the form before) and `col LIKE ?
ESCAPE '\\'` (the form now), alternating, for text that matches every
document and text that matches none. Python's sqlite3 stands in for the
bundled SQLite; the comparison, not the absolute time, is the point.

    python3 bench/documents_text_filter.py [ROWS] [REPEATS]
"""
import sqlite3
import statistics
import sys
import time

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 30

db = sqlite3.connect(":memory:")
db.execute("CREATE TABLE documents (id TEXT PRIMARY KEY, org_id TEXT, data_source_id TEXT,"
           " source_key TEXT, title TEXT, url TEXT)")
db.execute("CREATE INDEX documents_page ON documents (org_id, data_source_id, source_key)")
db.executemany("INSERT INTO documents VALUES (?, 'org_a', 'ds_1', ?, ?, ?)", (
    (f"doc_{i}", f"https://handbook.example/section-{i:06}/page.html",
     f"Handbook page {i} about greenhouse vents",
     f"https://handbook.example/section-{i:06}/page.html") for i in range(ROWS)))

SCOPE = "org_id = ?1 AND data_source_id = ?2"
FORMS = {
    "instr(lower())": (SCOPE + " AND (instr(lower(title), ?3) > 0 OR instr(lower(COALESCE(url, '')), ?3) > 0"
                       " OR instr(lower(source_key), ?3) > 0)", lambda t: t.lower()),
    "LIKE ESCAPE": (SCOPE + " AND (title LIKE ?3 ESCAPE '\\' OR COALESCE(url, '') LIKE ?3 ESCAPE '\\'"
                    " OR source_key LIKE ?3 ESCAPE '\\')", lambda t: f"%{t}%"),
}


def once(condition, arg):
    args = ("org_a", "ds_1", arg)
    start = time.perf_counter()
    db.execute(f"SELECT COUNT(*) FROM documents WHERE {condition}", args).fetchone()
    db.execute(f"SELECT * FROM documents WHERE {condition} ORDER BY source_key LIMIT 50 OFFSET {ROWS - 50}",
               args).fetchall()
    return (time.perf_counter() - start) * 1000


for text in ("handbook", "no-such-words"):
    times = {name: [] for name in FORMS}
    for _ in range(REPEATS):
        for name, (condition, pattern) in FORMS.items():
            times[name].append(once(condition, pattern(text)))
    for name, taken in times.items():
        taken.sort()
        print(f"{text!r} {name}: p50 {statistics.median(taken):.1f} ms, "
              f"p90 {taken[int(len(taken) * 0.9) - 1]:.1f} ms ({ROWS} rows, {REPEATS} runs)")
