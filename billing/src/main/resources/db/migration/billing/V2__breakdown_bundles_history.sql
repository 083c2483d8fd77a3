-- Version 2 of the report store: each line's rating breakdown (segments), each bill's bundle usage, and the history
-- of every bill version written, with what changed from the version before (an analyst's "why did my bill change?").
-- Flyway runs this with search_path set to the store's schema (default "dabba"), so names are unqualified.

ALTER TABLE bill ADD COLUMN line_count integer NOT NULL DEFAULT 0 CHECK (line_count >= 0);
UPDATE bill b SET line_count = (SELECT count(*) FROM bill_line l
                                WHERE l.subscriber = b.subscriber AND l.cycle = b.cycle);

-- Listing order and filters of `dabba bills` and GET /api/v1/bills: newest cycle first, then by subscriber.
CREATE INDEX bill_listing_idx ON bill (cycle DESC, subscriber);
CREATE INDEX bill_subscriber_idx ON bill (subscriber text_pattern_ops, cycle);

-- One row per stretch of a line with a single price: where a window, tier or bundle changed the price.
CREATE TABLE bill_segment (
    subscriber   text    NOT NULL,
    cycle        text    NOT NULL,
    position     integer NOT NULL,
    seq          integer NOT NULL CHECK (seq >= 1),           -- 1-based order within the line
    offset_qty   bigint  NOT NULL CHECK (offset_qty >= 0),    -- where in the record it starts (s, sms or B)
    quantity     bigint  NOT NULL CHECK (quantity >= 0),      -- usage in the segment
    charged      bigint  NOT NULL CHECK (charged >= 0),       -- charged quantity (whole increments)
    pulses       bigint  NOT NULL CHECK (pulses >= 0),
    time_window  text,                                        -- NULL: the plan's any-time price
    tier_from    bigint  NOT NULL CHECK (tier_from >= 0),
    price        numeric NOT NULL CHECK (price >= 0),         -- paisa per rate unit
    rate_unit    bigint  NOT NULL CHECK (rate_unit > 0),
    bundle_id    text,                                        -- NULL: charged, not covered by a bundle
    bundle_used  bigint  NOT NULL CHECK (bundle_used >= 0),
    connect_fee  numeric NOT NULL CHECK (connect_fee >= 0),   -- paisa, first segment only
    amount_exact numeric NOT NULL CHECK (amount_exact >= 0),  -- paisa, connect fee included
    amount_paisa bigint,                                      -- rounded, under per-increment rounding only
    PRIMARY KEY (subscriber, cycle, position, seq),
    FOREIGN KEY (subscriber, cycle, position) REFERENCES bill_line (subscriber, cycle, position) ON DELETE CASCADE
);

-- How much of each of the plan's bundles the bill's records used.
CREATE TABLE bill_bundle (
    subscriber text   NOT NULL,
    cycle      text   NOT NULL,
    seq        integer NOT NULL CHECK (seq >= 1),             -- the plan's bundle order
    bundle_id  text   NOT NULL,
    unit       text   NOT NULL CHECK (unit IN ('s', 'sms', 'B')),
    allowance  bigint NOT NULL CHECK (allowance > 0),
    used       bigint NOT NULL CHECK (used >= 0 AND used <= allowance),
    PRIMARY KEY (subscriber, cycle, bundle_id),
    FOREIGN KEY (subscriber, cycle) REFERENCES bill (subscriber, cycle) ON DELETE CASCADE
);

-- Every version of every bill that was written, newest not necessarily last.
CREATE TABLE bill_version (
    subscriber       text        NOT NULL,
    cycle            text        NOT NULL,
    version          bigint      NOT NULL CHECK (version >= 1),
    previous_version bigint,                                  -- the version it replaced; NULL for the first
    status           text        NOT NULL CHECK (status IN ('PROVISIONAL', 'FINAL')),
    tariff_id        text        NOT NULL,
    calls_paisa      bigint      NOT NULL,
    sms_paisa        bigint      NOT NULL,
    data_paisa       bigint      NOT NULL,
    total_paisa      bigint      NOT NULL,
    line_count       integer     NOT NULL CHECK (line_count >= 0),
    updated_at       timestamptz NOT NULL,                    -- the bill's own time stamp
    recorded_at      timestamptz NOT NULL DEFAULT now(),      -- when the store wrote it
    PRIMARY KEY (subscriber, cycle, version),
    FOREIGN KEY (subscriber, cycle) REFERENCES bill (subscriber, cycle) ON DELETE CASCADE,
    CHECK (total_paisa = calls_paisa + sms_paisa + data_paisa)
);

INSERT INTO bill_version (subscriber, cycle, version, previous_version, status, tariff_id, calls_paisa, sms_paisa,
                          data_paisa, total_paisa, line_count, updated_at, recorded_at)
SELECT subscriber, cycle, version, NULL, status, tariff_id, calls_paisa, sms_paisa, data_paisa, total_paisa,
       line_count, updated_at, updated_at
FROM bill;

-- What changed in a version against the one it replaced: records added (or gone) and lines whose amount changed,
-- for example because a late record used up a bundle earlier in causal order.
CREATE TABLE bill_change (
    subscriber       text    NOT NULL,
    cycle            text    NOT NULL,
    version          bigint  NOT NULL,
    event_id         text    NOT NULL,
    kind             text    NOT NULL CHECK (kind IN ('ADDED', 'REMOVED', 'REPRICED')),
    old_position     integer,
    new_position     integer,
    old_amount_paisa bigint,
    new_amount_paisa bigint,
    PRIMARY KEY (subscriber, cycle, version, event_id),
    FOREIGN KEY (subscriber, cycle, version) REFERENCES bill_version (subscriber, cycle, version) ON DELETE CASCADE
);
