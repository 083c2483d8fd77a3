-- Version 3 of the report store: the stream job's flags on bill lines.
-- Flyway runs this with search_path set to the store's schema (default "dabba"), so names are unqualified.

-- Non-NULL when the job billed the record before every record it causally depends on had arrived (it waited the
-- maximum causal wait, or a dependency was given up as lost): what was missing then, as NODE:FROM-TO ranges. Set
-- back to NULL by a later version once the dependencies arrived.
ALTER TABLE bill_line ADD COLUMN missing_dependencies text CHECK (missing_dependencies <> '');

-- The record is causally concurrent with usage of the same subscriber at a far-away tower at an overlapping time.
ALTER TABLE bill_line ADD COLUMN clone_suspect boolean NOT NULL DEFAULT false;
