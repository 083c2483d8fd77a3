-- Bills and their lines, one row per (subscriber, cycle) holding the highest version written so far.
-- Flyway runs this with search_path set to the store's schema (default "dabba"), so names are unqualified.

CREATE TABLE bill (
    subscriber   text        NOT NULL,                 -- canonical MSISDN, +919876543210
    cycle        text        NOT NULL,                 -- YYYY-MM, calendar month in Asia/Kolkata
    version      bigint      NOT NULL CHECK (version >= 1),
    status       text        NOT NULL CHECK (status IN ('PROVISIONAL', 'FINAL')),
    tariff_id    text        NOT NULL,
    calls_paisa  bigint      NOT NULL,
    sms_paisa    bigint      NOT NULL,
    data_paisa   bigint      NOT NULL,
    total_paisa  bigint      NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (subscriber, cycle),
    CHECK (cycle ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    CHECK (total_paisa = calls_paisa + sms_paisa + data_paisa)
);

CREATE INDEX bill_cycle_idx ON bill (cycle);

CREATE TABLE bill_line (
    subscriber    text        NOT NULL,
    cycle         text        NOT NULL,
    position      integer     NOT NULL CHECK (position >= 1),  -- 1-based place in the causal timeline
    event_id      text        NOT NULL,                        -- NODE#SEQUENCE
    tower         text        NOT NULL,                        -- the event's origin node
    start_at      timestamptz NOT NULL,
    clock         text        NOT NULL,                        -- vector clock, {MUMBAI_ANDHERI:1, MUMBAI_BKC:2}
    hlc           text        NOT NULL,                        -- hybrid timestamp, wallMillis.logical
    service       text        NOT NULL,                        -- CALL VOICE | SMS | DATA 4G ...
    quantity      bigint      NOT NULL CHECK (quantity >= 0),
    quantity_unit text        NOT NULL CHECK (quantity_unit IN ('s', 'sms', 'B')),
    counterparty  text,                                        -- callee or SMS recipient; NULL for data
    amount_exact  numeric     NOT NULL CHECK (amount_exact >= 0),  -- paisa, before rounding
    amount_paisa  bigint      NOT NULL,                        -- paisa, after the tariff's rounding rule
    concurrent    boolean     NOT NULL,                        -- causally concurrent with a neighbouring line
    PRIMARY KEY (subscriber, cycle, position),
    UNIQUE (subscriber, cycle, event_id),
    FOREIGN KEY (subscriber, cycle) REFERENCES bill (subscriber, cycle) ON DELETE CASCADE
);
