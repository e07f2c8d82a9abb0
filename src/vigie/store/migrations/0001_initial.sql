-- Files imported into the workspace, one row per distinct content (SHA-256).
CREATE TABLE imports (
    file_sha256      VARCHAR PRIMARY KEY,
    path             VARCHAR NOT NULL,
    format           VARCHAR NOT NULL,
    size_bytes       BIGINT NOT NULL,
    reader_version   VARCHAR NOT NULL,
    records_read     INTEGER NOT NULL,
    records_loaded   INTEGER NOT NULL,
    records_rejected INTEGER NOT NULL,
    imported_at      TIMESTAMP NOT NULL
);

-- Procurement records, keyed by the file they came from and their position in it.
CREATE TABLE records (
    file_sha256  VARCHAR NOT NULL,
    source_file  VARCHAR NOT NULL,
    position     VARCHAR NOT NULL,
    line         INTEGER,
    record_id    VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    buyer_id     VARCHAR,
    buyer_scheme VARCHAR,
    buyer_name   VARCHAR,
    title        VARCHAR,
    amount       DOUBLE,
    currency     VARCHAR,
    date         DATE,
    cpv          VARCHAR,
    cpv_raw      VARCHAR,
    procedure    VARCHAR,
    content_hash VARCHAR NOT NULL,
    PRIMARY KEY (file_sha256, source_file, position)
);

CREATE TABLE record_suppliers (
    file_sha256     VARCHAR NOT NULL,
    source_file     VARCHAR NOT NULL,
    position        VARCHAR NOT NULL,
    idx             INTEGER NOT NULL,
    supplier_id     VARCHAR,
    supplier_scheme VARCHAR,
    supplier_name   VARCHAR,
    PRIMARY KEY (file_sha256, source_file, position, idx)
);

-- Units of input that were not loaded, and notes about loaded records.
CREATE TABLE rejections (
    file_sha256 VARCHAR NOT NULL,
    seq         INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    position    VARCHAR NOT NULL,
    code        VARCHAR NOT NULL,
    params      VARCHAR NOT NULL, -- JSON object of the message parameters
    excerpt     VARCHAR NOT NULL,
    PRIMARY KEY (file_sha256, seq)
);

CREATE TABLE warnings (
    file_sha256 VARCHAR NOT NULL,
    seq         INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    position    VARCHAR NOT NULL,
    code        VARCHAR NOT NULL,
    params      VARCHAR NOT NULL, -- JSON object of the message parameters
    PRIMARY KEY (file_sha256, seq)
);

-- Screening runs, for the audit trail.
CREATE TABLE runs (
    run_id        VARCHAR PRIMARY KEY,
    started_at    TIMESTAMP NOT NULL,
    vigie_version VARCHAR NOT NULL,
    kb_version    VARCHAR NOT NULL,
    inputs        VARCHAR NOT NULL,
    outdir        VARCHAR NOT NULL,
    findings      INTEGER NOT NULL
);
