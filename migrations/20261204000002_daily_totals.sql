-- Daily totals per merchant: what the overview and the reports calendar show, kept
-- without reading raw transactions (docs/RULES.md, "Daily totals").
--
-- One row per merchant, local day (the merchant's time zone, by creation time) and
-- every value the dashboards group by. Triggers on `transactions` keep it exact in the
-- same database transaction as each insert, update or delete, whoever writes: the
-- refund engine, the demo-data loader's COPY, a benchmark's bulk insert.

CREATE TABLE daily_totals (
    merchant_id             uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    day                     date NOT NULL,
    currency                char(3) NOT NULL,
    transaction_type        text NOT NULL,
    status                  text NOT NULL,
    payment_method_type     text NOT NULL,
    acquirer_code           text NOT NULL,
    -- NULL for transactions not (yet) settled.
    settlement_currency     char(3),
    transactions            bigint NOT NULL,
    amount_minor            bigint NOT NULL,
    settlement_amount_minor bigint NOT NULL,
    CONSTRAINT daily_totals_key UNIQUE NULLS NOT DISTINCT
        (merchant_id, day, currency, transaction_type, status, payment_method_type,
         acquirer_code, settlement_currency)
);

-- The raw aggregate the table must always equal (rows of zero aside): used to fill it
-- here, to rebuild a merchant's rows when its time zone changes, and by the tests.
CREATE VIEW daily_totals_recount AS
SELECT t.merchant_id,
       (t.created_at AT TIME ZONE m.time_zone)::date AS day,
       t.currency, t.transaction_type, t.status, t.payment_method_type, t.acquirer_code,
       t.settlement_currency,
       count(*) AS transactions,
       sum(t.amount_minor)::bigint AS amount_minor,
       coalesce(sum(t.settlement_amount_minor), 0)::bigint AS settlement_amount_minor
  FROM transactions t JOIN merchants m ON m.id = t.merchant_id
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

INSERT INTO daily_totals SELECT * FROM daily_totals_recount;

-- Adds the statement's rows (`added`, sign +1) and takes away the rows it replaced or
-- deleted (`removed`, sign -1). Sorted by key so that two statements touching the same
-- days lock their rows in one order; groups whose change is nothing are skipped, so an
-- update of a column the totals do not hold locks nothing.
CREATE FUNCTION daily_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    changes text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT a.*, 1 AS sign FROM added a'
        WHEN 'DELETE' THEN 'SELECT r.*, -1 AS sign FROM removed r'
        ELSE 'SELECT a.*, 1 AS sign FROM added a UNION ALL SELECT r.*, -1 FROM removed r'
    END;
BEGIN
    EXECUTE format($q$
        INSERT INTO daily_totals AS d
        SELECT c.merchant_id, (c.created_at AT TIME ZONE m.time_zone)::date,
               c.currency, c.transaction_type, c.status, c.payment_method_type,
               c.acquirer_code, c.settlement_currency,
               sum(c.sign), sum(c.sign * c.amount_minor),
               coalesce(sum(c.sign * c.settlement_amount_minor), 0)
          FROM (%s) c JOIN merchants m ON m.id = c.merchant_id
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        HAVING sum(c.sign) <> 0 OR sum(c.sign * c.amount_minor) <> 0
            OR coalesce(sum(c.sign * c.settlement_amount_minor), 0) <> 0
         ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT ON CONSTRAINT daily_totals_key DO UPDATE SET
            transactions = d.transactions + excluded.transactions,
            amount_minor = d.amount_minor + excluded.amount_minor,
            settlement_amount_minor = d.settlement_amount_minor + excluded.settlement_amount_minor
    $q$, changes);
    RETURN NULL;
END
$fn$;

CREATE TRIGGER daily_totals_insert AFTER INSERT ON transactions
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION daily_totals_apply();
CREATE TRIGGER daily_totals_update AFTER UPDATE ON transactions
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION daily_totals_apply();
CREATE TRIGGER daily_totals_delete AFTER DELETE ON transactions
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION daily_totals_apply();

-- DELETE rather than TRUNCATE: a TRUNCATE of merchants with CASCADE empties both tables
-- in one statement, which could not then truncate daily_totals a second time.
CREATE FUNCTION daily_totals_clear() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM daily_totals;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER daily_totals_truncate AFTER TRUNCATE ON transactions
    FOR EACH STATEMENT EXECUTE FUNCTION daily_totals_clear();

-- A merchant's days move with its time zone: its rows are counted again.
CREATE FUNCTION daily_totals_rezone() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM daily_totals WHERE merchant_id = NEW.id;
    INSERT INTO daily_totals SELECT * FROM daily_totals_recount WHERE merchant_id = NEW.id;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER daily_totals_rezone AFTER UPDATE OF time_zone ON merchants
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
    EXECUTE FUNCTION daily_totals_rezone();
