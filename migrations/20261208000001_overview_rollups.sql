-- Two coarser rollups of the daily totals for the analytics overview, whose longest
-- periods read a year (docs/RULES.md, "Daily totals"; docs/PERFORMANCE.md, "Overview
-- and reports calendar"). At 20M transactions a year of one merchant is some 28,000
-- rows of daily totals.
-- - daily_activity: without method, acquirer and settlement currency, per merchant,
--   currency, local day, type and status. The series read it: 2,000 rows for a year in
--   one currency instead of 10,000.
-- - monthly_totals: per local month, without the settlement currency. The breakdowns
--   and the currency list read the whole months of a period from it and only the days
--   around them from the daily tables: some 2,000 rows for a year instead of 9,000 to
--   28,000.
--
-- Both are kept by the daily totals' own trigger function, in the same trigger and
-- right after its upsert, so every writer takes totals rows, then activity rows, then
-- monthly rows, each sorted by key: one lock order for all. The currency leads their
-- keys because every read but the currency list names one; that list has its own
-- index by day.

CREATE TABLE daily_activity (
    merchant_id      uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    currency         char(3) NOT NULL,
    day              date NOT NULL,
    transaction_type text NOT NULL,
    status           text NOT NULL,
    transactions     bigint NOT NULL,
    amount_minor     bigint NOT NULL,
    CONSTRAINT daily_activity_key PRIMARY KEY
        (merchant_id, currency, day, transaction_type, status)
);

CREATE INDEX daily_activity_by_day ON daily_activity (merchant_id, day);

CREATE TABLE monthly_totals (
    merchant_id         uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    currency            char(3) NOT NULL,
    -- The first day of the local month.
    month               date NOT NULL,
    transaction_type    text NOT NULL,
    status              text NOT NULL,
    payment_method_type text NOT NULL,
    acquirer_code       text NOT NULL,
    transactions        bigint NOT NULL,
    amount_minor        bigint NOT NULL,
    CONSTRAINT monthly_totals_key PRIMARY KEY
        (merchant_id, currency, month, transaction_type, status, payment_method_type,
         acquirer_code)
);

-- What each table must always equal (rows of zero aside).
CREATE VIEW daily_activity_recount AS
SELECT merchant_id, currency, day, transaction_type, status,
       sum(transactions)::bigint AS transactions, sum(amount_minor)::bigint AS amount_minor
  FROM daily_totals
 GROUP BY 1, 2, 3, 4, 5;

CREATE VIEW monthly_totals_recount AS
SELECT merchant_id, currency, date_trunc('month', day)::date AS month, transaction_type,
       status, payment_method_type, acquirer_code,
       sum(transactions)::bigint AS transactions, sum(amount_minor)::bigint AS amount_minor
  FROM daily_totals
 GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT INTO daily_activity SELECT * FROM daily_activity_recount;
INSERT INTO monthly_totals SELECT * FROM monthly_totals_recount;

-- As migration 20261204000004's function, each branch followed by the same change
-- summed to activity rows, then to monthly rows. Each reads the transition tables
-- again, not daily_totals: the rows this statement changed are known only there.
CREATE OR REPLACE FUNCTION daily_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO daily_totals AS d
        SELECT c.merchant_id, (c.created_at AT TIME ZONE m.time_zone)::date, c.currency,
               c.transaction_type, c.status, c.payment_method_type, c.acquirer_code,
               c.settlement_currency, count(*), sum(c.amount_minor),
               coalesce(sum(c.settlement_amount_minor), 0)
          FROM added c JOIN merchants m ON m.id = c.merchant_id
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT ON CONSTRAINT daily_totals_key DO UPDATE SET
            transactions = d.transactions + excluded.transactions,
            amount_minor = d.amount_minor + excluded.amount_minor,
            settlement_amount_minor = d.settlement_amount_minor + excluded.settlement_amount_minor;
        INSERT INTO daily_activity AS d
        SELECT c.merchant_id, c.currency, (c.created_at AT TIME ZONE m.time_zone)::date,
               c.transaction_type, c.status, count(*), sum(c.amount_minor)
          FROM added c JOIN merchants m ON m.id = c.merchant_id
         GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ON CONSTRAINT daily_activity_key DO UPDATE SET
            transactions = d.transactions + excluded.transactions,
            amount_minor = d.amount_minor + excluded.amount_minor;
        INSERT INTO monthly_totals AS d
        SELECT c.merchant_id, c.currency,
               date_trunc('month', c.created_at AT TIME ZONE m.time_zone)::date,
               c.transaction_type, c.status, c.payment_method_type, c.acquirer_code,
               count(*), sum(c.amount_minor)
          FROM added c JOIN merchants m ON m.id = c.merchant_id
         GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT ON CONSTRAINT monthly_totals_key DO UPDATE SET
            transactions = d.transactions + excluded.transactions,
            amount_minor = d.amount_minor + excluded.amount_minor;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO daily_totals AS d
        SELECT c.merchant_id, (c.created_at AT TIME ZONE m.time_zone)::date, c.currency,
               c.transaction_type, c.status, c.payment_method_type, c.acquirer_code,
               c.settlement_currency, -count(*), -sum(c.amount_minor),
               -coalesce(sum(c.settlement_amount_minor), 0)
          FROM removed c JOIN merchants m ON m.id = c.merchant_id
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT ON CONSTRAINT daily_totals_key DO UPDATE SET
            transactions = d.transactions + excluded.transactions,
            amount_minor = d.amount_minor + excluded.amount_minor,
            settlement_amount_minor = d.settlement_amount_minor + excluded.settlement_amount_minor;
        INSERT INTO daily_activity AS d
        SELECT c.merchant_id, c.currency, (c.created_at AT TIME ZONE m.time_zone)::date,
               c.transaction_type, c.status, -count(*), -sum(c.amount_minor)
          FROM removed c JOIN merchants m ON m.id = c.merchant_id
         GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ON CONSTRAINT daily_activity_key DO UPDATE SET
            transactions = d.transactions + excluded.transactions,
            amount_minor = d.amount_minor + excluded.amount_minor;
        INSERT INTO monthly_totals AS d
        SELECT c.merchant_id, c.currency,
               date_trunc('month', c.created_at AT TIME ZONE m.time_zone)::date,
               c.transaction_type, c.status, c.payment_method_type, c.acquirer_code,
               -count(*), -sum(c.amount_minor)
          FROM removed c JOIN merchants m ON m.id = c.merchant_id
         GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT ON CONSTRAINT monthly_totals_key DO UPDATE SET
            transactions = d.transactions + excluded.transactions,
            amount_minor = d.amount_minor + excluded.amount_minor;
    ELSE
        -- Groups whose change is nothing are skipped, so an update of a column the
        -- totals do not hold locks no row of them.
        INSERT INTO daily_totals AS d
        SELECT c.merchant_id, (c.created_at AT TIME ZONE m.time_zone)::date, c.currency,
               c.transaction_type, c.status, c.payment_method_type, c.acquirer_code,
               c.settlement_currency, sum(c.sign), sum(c.sign * c.amount_minor),
               coalesce(sum(c.sign * c.settlement_amount_minor), 0)
          FROM (SELECT a.*, 1 AS sign FROM added a
                UNION ALL SELECT r.*, -1 FROM removed r) c
          JOIN merchants m ON m.id = c.merchant_id
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        HAVING sum(c.sign) <> 0 OR sum(c.sign * c.amount_minor) <> 0
            OR coalesce(sum(c.sign * c.settlement_amount_minor), 0) <> 0
         ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT ON CONSTRAINT daily_totals_key DO UPDATE SET
            transactions = d.transactions + excluded.transactions,
            amount_minor = d.amount_minor + excluded.amount_minor,
            settlement_amount_minor = d.settlement_amount_minor + excluded.settlement_amount_minor;
        INSERT INTO daily_activity AS d
        SELECT c.merchant_id, c.currency, (c.created_at AT TIME ZONE m.time_zone)::date,
               c.transaction_type, c.status, sum(c.sign), sum(c.sign * c.amount_minor)
          FROM (SELECT a.*, 1 AS sign FROM added a
                UNION ALL SELECT r.*, -1 FROM removed r) c
          JOIN merchants m ON m.id = c.merchant_id
         GROUP BY 1, 2, 3, 4, 5
        HAVING sum(c.sign) <> 0 OR sum(c.sign * c.amount_minor) <> 0
         ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ON CONSTRAINT daily_activity_key DO UPDATE SET
            transactions = d.transactions + excluded.transactions,
            amount_minor = d.amount_minor + excluded.amount_minor;
        INSERT INTO monthly_totals AS d
        SELECT c.merchant_id, c.currency,
               date_trunc('month', c.created_at AT TIME ZONE m.time_zone)::date,
               c.transaction_type, c.status, c.payment_method_type, c.acquirer_code,
               sum(c.sign), sum(c.sign * c.amount_minor)
          FROM (SELECT a.*, 1 AS sign FROM added a
                UNION ALL SELECT r.*, -1 FROM removed r) c
          JOIN merchants m ON m.id = c.merchant_id
         GROUP BY 1, 2, 3, 4, 5, 6, 7
        HAVING sum(c.sign) <> 0 OR sum(c.sign * c.amount_minor) <> 0
         ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT ON CONSTRAINT monthly_totals_key DO UPDATE SET
            transactions = d.transactions + excluded.transactions,
            amount_minor = d.amount_minor + excluded.amount_minor;
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION daily_totals_clear() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM daily_totals;
    DELETE FROM daily_activity;
    DELETE FROM monthly_totals;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION daily_totals_rezone() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM daily_totals WHERE merchant_id = NEW.id;
    INSERT INTO daily_totals SELECT * FROM daily_totals_recount WHERE merchant_id = NEW.id;
    DELETE FROM daily_activity WHERE merchant_id = NEW.id;
    INSERT INTO daily_activity SELECT * FROM daily_activity_recount WHERE merchant_id = NEW.id;
    DELETE FROM monthly_totals WHERE merchant_id = NEW.id;
    INSERT INTO monthly_totals SELECT * FROM monthly_totals_recount WHERE merchant_id = NEW.id;
    RETURN NULL;
END
$fn$;
