-- Where a file whose name is not valid UTF-8 is, as the file system's bytes: its path column
-- shows those bytes as U+FFFD, which names no file, and the file is read again (to merge what
-- several files give for one contract) by `vigie report run` and the dashboard too.
ALTER TABLE imports ADD COLUMN location BLOB;
