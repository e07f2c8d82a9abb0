-- The releases of each OCDS contracting process as read (the fields vigie reads, as JSON),
-- so that releases of one ocid spread over several files are merged before screening.
CREATE TABLE ocds_releases (
    file_sha256 VARCHAR NOT NULL,
    ocid        VARCHAR NOT NULL,
    rank        INTEGER NOT NULL, -- 0 undated, 1 dated: undated releases merge first
    date        VARCHAR NOT NULL,
    seq         INTEGER NOT NULL, -- order among the file's releases
    source_file VARCHAR NOT NULL,
    position    VARCHAR NOT NULL,
    line        INTEGER,
    state       VARCHAR NOT NULL
);
