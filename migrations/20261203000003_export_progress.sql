-- The progress of exports (`/exports/transactions.{csv,xlsx}` with a `job` the page
-- chose), kept here rather than in one instance's memory so that whichever instance
-- the page's poll or cancel reaches behind a load balancer answers it. The exporting
-- instance writes a row a few times a second and stops when another sets CANCELLED.
-- Read scoped by merchant and user; a row is deleted an hour after its last change.
CREATE TABLE export_jobs (
    merchant_id uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job text NOT NULL CHECK (job ~ '^[A-Za-z0-9-]{1,64}$'),
    rows_done bigint NOT NULL DEFAULT 0 CHECK (rows_done >= 0),
    -- Unknown until the count query answers.
    rows_total bigint CHECK (rows_total >= 0),
    state text NOT NULL DEFAULT 'RUNNING'
        CHECK (state IN ('RUNNING', 'FINISHED', 'CANCELLED', 'FAILED')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, job)
);

-- Pruning finds old rows without reading the table.
CREATE INDEX export_jobs_updated_at ON export_jobs (updated_at);
