-- The contracting process of each record (OCDS ocid), so that the processes found in several
-- files of a run are found, and their releases merged across files before screening.
ALTER TABLE records ADD COLUMN process_id VARCHAR;
