-- Transaction reports of the calendar: one zip (the .csv and the .xlsx) per merchant,
-- kind and period, made once and never changed. The primary key is what keeps several
-- server instances from storing a report twice (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE reports (
    merchant_id  uuid NOT NULL REFERENCES merchants (id),
    kind         text NOT NULL CHECK (kind IN ('daily', 'monthly')),
    -- The first local day of the period (the day itself, or the 1st of the month).
    period_start date NOT NULL,
    -- The merchant's zone when the report was made: it decided the period's bounds.
    time_zone    text NOT NULL,
    file_name    text NOT NULL,
    content      bytea NOT NULL,
    -- Hex SHA-256 of `content`, shown beside each download.
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    row_count    bigint NOT NULL CHECK (row_count >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (merchant_id, kind, period_start),
    CHECK (kind = 'daily' OR extract(day FROM period_start) = 1)
);

-- Reports are immutable: what a merchant downloaded and checked once stays the same.
CREATE FUNCTION reports_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reports are immutable';
END;
$$;
CREATE TRIGGER reports_no_update BEFORE UPDATE OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION reports_immutable();
