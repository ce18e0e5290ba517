-- A refund that settles in another currency looks up the rate of its currency pair on
-- the nearest day (app/src/refunds/engine/settlement.rs). The primary key starts with
-- the date, so that lookup read the whole table when the pair has no rate at all, and
-- walked back day by day otherwise: about 0.7 ms for 3,200 rates. By pair, then date,
-- it is one index probe either way.
CREATE INDEX exchange_rates_pair_idx ON exchange_rates (base_currency, quote_currency, rate_date);
