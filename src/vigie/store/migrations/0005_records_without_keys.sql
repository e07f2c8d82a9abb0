-- Record tables without primary keys: an import replaces all rows of its file (deleted first,
-- in the same transaction), so keys only slowed every insert down (an index entry per row).
-- Rows are still unique per (file, source, position[, idx]): the readers give each record
-- its own position, which the tests check.
CREATE TABLE records_v5 (
    file_sha256     VARCHAR NOT NULL,
    source_file     VARCHAR NOT NULL,
    position        VARCHAR NOT NULL,
    line            INTEGER,
    record_id       VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    buyer_id        VARCHAR,
    buyer_scheme    VARCHAR,
    buyer_name      VARCHAR,
    title           VARCHAR,
    amount          DOUBLE,
    currency        VARCHAR,
    date            DATE,
    cpv             VARCHAR,
    cpv_raw         VARCHAR,
    procedure       VARCHAR,
    content_hash    VARCHAR NOT NULL,
    buyer_country   VARCHAR,
    description     VARCHAR,
    date_time       VARCHAR,
    category        VARCHAR,
    category_reason VARCHAR
);
INSERT INTO records_v5 SELECT * FROM records;
DROP TABLE records;
ALTER TABLE records_v5 RENAME TO records;

CREATE TABLE record_suppliers_v5 (
    file_sha256      VARCHAR NOT NULL,
    source_file      VARCHAR NOT NULL,
    position         VARCHAR NOT NULL,
    idx              INTEGER NOT NULL,
    supplier_id      VARCHAR,
    supplier_scheme  VARCHAR,
    supplier_name    VARCHAR,
    supplier_country VARCHAR
);
INSERT INTO record_suppliers_v5 SELECT * FROM record_suppliers;
DROP TABLE record_suppliers;
ALTER TABLE record_suppliers_v5 RENAME TO record_suppliers;

CREATE TABLE record_classifications_v5 (
    file_sha256 VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    position    VARCHAR NOT NULL,
    idx         INTEGER NOT NULL,
    scheme      VARCHAR NOT NULL,
    code        VARCHAR NOT NULL,
    description VARCHAR
);
INSERT INTO record_classifications_v5 SELECT * FROM record_classifications;
DROP TABLE record_classifications;
ALTER TABLE record_classifications_v5 RENAME TO record_classifications;
