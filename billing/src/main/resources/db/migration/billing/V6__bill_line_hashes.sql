-- Version 6 of the report store: a bill's header holds its lines' content hashes.
-- Flyway runs this with search_path set to the store's schema (default "dabba"), so names are unqualified.

-- The LineHash of each stored line in position order, 8 bytes big-endian a line, written in the same transaction as
-- the lines. A new version is compared with these instead of with the bill's stored lines, so the store reads only
-- the lines a version replaces (usually none: most versions add a line at the end). Reading every line of the bill
-- for every version was an index and a heap page per line, and the largest part of the store's time
-- (docs/benchmarks.md, "End to end"). NULL for bills written before version 6: the store reads their lines once, as
-- it did, and writes the hashes.
ALTER TABLE bill ADD COLUMN line_hashes bytea CHECK (octet_length(line_hashes) % 8 = 0);
