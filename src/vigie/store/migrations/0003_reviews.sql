-- Matches found by screening runs (the latest finding of each pair), for review.
-- A pair is (kind, subject, company): kind is `supplier` or `mention`; subject is the
-- normalised supplier name or contract text, as computed by vigie.resolve.review.
CREATE TABLE match_candidates (
    pair_id      VARCHAR PRIMARY KEY,
    kind         VARCHAR NOT NULL,
    subject      VARCHAR NOT NULL,
    subject_text VARCHAR NOT NULL, -- as first published, for display
    company_id   VARCHAR NOT NULL,
    company_name VARCHAR NOT NULL,
    group_id     VARCHAR NOT NULL,
    group_name   VARCHAR NOT NULL,
    score        DOUBLE NOT NULL,
    rule         VARCHAR NOT NULL,
    explanation  VARCHAR NOT NULL,
    records      INTEGER NOT NULL,
    example      VARCHAR NOT NULL, -- source file and position of one record
    run_id       VARCHAR NOT NULL,
    seen_at      TIMESTAMP NOT NULL
);

-- Judgements, append-only: the latest judgement of a pair is the one applied.
CREATE TABLE match_reviews (
    seq         INTEGER PRIMARY KEY,
    pair_id     VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    subject     VARCHAR NOT NULL,
    company_id  VARCHAR NOT NULL,
    status      VARCHAR NOT NULL CHECK (status IN ('confirmed', 'rejected')),
    reviewer    VARCHAR NOT NULL,
    reviewed_at TIMESTAMP NOT NULL,
    note        VARCHAR NOT NULL
);
