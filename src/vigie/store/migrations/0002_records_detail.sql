-- Record detail for every reader: description, timestamp with offset, technology category;
-- buyer and supplier country; every classification code published.
ALTER TABLE records ADD COLUMN buyer_country VARCHAR;
ALTER TABLE records ADD COLUMN description VARCHAR;
ALTER TABLE records ADD COLUMN date_time VARCHAR;
ALTER TABLE records ADD COLUMN category VARCHAR;
ALTER TABLE records ADD COLUMN category_reason VARCHAR;
ALTER TABLE record_suppliers ADD COLUMN supplier_country VARCHAR;

CREATE TABLE record_classifications (
    file_sha256 VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    position    VARCHAR NOT NULL,
    idx         INTEGER NOT NULL,
    scheme      VARCHAR NOT NULL,
    code        VARCHAR NOT NULL,
    description VARCHAR,
    PRIMARY KEY (file_sha256, source_file, position, idx)
);
