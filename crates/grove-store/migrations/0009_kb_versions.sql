-- Knowledge-base article versions and the review inbox.
--
-- Every create, update and restore of an article writes a version (1, 2, …
-- per article) in the same transaction; `kb_articles.version` is the
-- latest. Existing articles get their version 1 here.
CREATE TABLE kb_article_versions (
    article_id    TEXT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    title         TEXT NOT NULL,
    content       TEXT NOT NULL,
    tags          TEXT NOT NULL DEFAULT '[]',
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    key_id        TEXT,
    user_id       TEXT,
    restored_from INTEGER,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (article_id, version)
);

ALTER TABLE kb_articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

INSERT INTO kb_article_versions
    (article_id, org_id, version, title, content, tags, status, created_at)
SELECT id, org_id, 1, title, content, tags, status, updated_at FROM kb_articles;

-- The review inbox: a reviewer's verdict on an answer, the corrected
-- answer, and the article made from it.
ALTER TABLE interactions ADD COLUMN review_status TEXT NOT NULL DEFAULT 'not_reviewed'
    CHECK (review_status IN ('not_reviewed', 'accurate', 'edited', 'inaccurate', 'no_answer'));
ALTER TABLE interactions ADD COLUMN edited_answer TEXT;
ALTER TABLE interactions ADD COLUMN reviewed_at INTEGER;
ALTER TABLE interactions ADD COLUMN kb_article_id TEXT REFERENCES kb_articles(id) ON DELETE SET NULL;
CREATE INDEX interactions_org_review ON interactions (org_id, review_status, created_at);
