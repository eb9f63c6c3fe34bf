-- Knowledge-base articles: what `kb` data sources index (published ones).
-- The knowledge-base API (versions, review inbox) builds on this table.
CREATE TABLE kb_articles (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    content     TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    status      TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX kb_articles_org_status ON kb_articles (org_id, status, updated_at);
