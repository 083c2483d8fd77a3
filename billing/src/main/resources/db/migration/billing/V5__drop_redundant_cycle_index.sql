-- Version 5 of the report store: one index fewer for every bill version to maintain.
-- Flyway runs this with search_path set to the store's schema (default "dabba"), so names are unqualified.

-- bill_listing_idx (cycle DESC, subscriber), from version 2, answers every query bill_cycle_idx (cycle) did: a
-- cycle's bills, in listing order or not. Every new bill inserted into both, and every update that could not stay on
-- its page updated both.
DROP INDEX IF EXISTS bill_cycle_idx;
