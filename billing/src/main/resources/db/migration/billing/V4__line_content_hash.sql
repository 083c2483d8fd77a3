-- Version 4 of the report store: a hash of each stored line's content, so that a new version of a bill rewrites only
-- the lines it changed. Flyway runs this with search_path set to the store's schema (default "dabba").

-- A 64-bit hash of everything the line's row and its segments' rows hold (LineHash in the billing module). A new
-- version keeps a stored line as it is when the line at that position has the same event and the same hash, and
-- deletes and inserts it otherwise. NULL (lines written before version 4) never matches, so those lines are
-- rewritten the first time their bill changes.
ALTER TABLE bill_line ADD COLUMN content_hash bigint;
