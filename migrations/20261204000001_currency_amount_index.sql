-- The amount range filters within one currency. With the amount as the currency index's
-- last key, PostgreSQL checks the range on the index entries while it walks them in time
-- order, and reads from the table only the rows that match, instead of every row of the
-- currency's days (docs/PERFORMANCE.md, "Transaction query"). The index still serves the
-- currency filter alone, and newest-first paging, as before.
DROP INDEX transactions_currency_idx;
CREATE INDEX transactions_currency_idx
    ON transactions (merchant_id, currency, created_at DESC, id DESC, amount_minor);
