-- Batch refunds from a file (docs/RULES.md, "Batch refunds"). An upload is checked at
-- once (the dry run: every row's planned outcome, nothing refunded) and kept here; once
-- confirmed with a payment password, a background job refunds its rows one by one
-- through the refund engine, each under its own refund request ID, so a row is never
-- refunded twice, whichever instance runs it, however often it is interrupted.

CREATE TABLE refund_batches (
    merchant_id       uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    id                bigint GENERATED ALWAYS AS IDENTITY,
    file_name         text NOT NULL,
    -- The file's SHA-256 (hex): rows without their own request ID get one derived from
    -- it and their row number, so the same file uploaded again refunds nothing twice.
    file_sha256       text NOT NULL,
    uploaded_by       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    uploaded_at       timestamptz NOT NULL DEFAULT now(),
    -- CHECKED: dry run done, waiting for confirmation. RUNNING: the job refunds it.
    status            text NOT NULL DEFAULT 'CHECKED'
                      CHECK (status IN ('CHECKED', 'RUNNING', 'PAUSED', 'CANCELLED', 'DONE')),
    confirmed_by      uuid REFERENCES users (id) ON DELETE CASCADE,
    confirmed_address text,
    confirmed_at      timestamptz,
    finished_at       timestamptz,
    total_rows        integer NOT NULL CHECK (total_rows BETWEEN 1 AND 10000),
    -- Rows with an outcome (refunded, refused, or skipped by the dry run).
    done_rows         integer NOT NULL DEFAULT 0,
    -- The instance working on it holds it until then; an expired lease is taken over.
    lease_until       timestamptz,
    PRIMARY KEY (merchant_id, id)
);
CREATE INDEX refund_batches_running_idx ON refund_batches (confirmed_at)
    WHERE status = 'RUNNING';

CREATE TABLE refund_batch_rows (
    merchant_id        uuid NOT NULL,
    batch_id           bigint NOT NULL,
    -- The file's line (the header is line 1).
    line               integer NOT NULL,
    -- As the file has them.
    payment_ref        text NOT NULL,
    amount             text NOT NULL,
    currency           text NOT NULL,
    reason             text,
    refund_request_id  text NOT NULL,
    -- The dry run: the payment found, the amount to refund, or why not (a result code
    -- and its explanation); a row with a code is never run.
    payment_id         text,
    planned_minor      bigint,
    planned_code       text,
    planned_message    text,
    -- The run: the engine's answer.
    result_code        text,
    result_message     text,
    refund_id          text,
    done_at            timestamptz,
    PRIMARY KEY (merchant_id, batch_id, line),
    FOREIGN KEY (merchant_id, batch_id) REFERENCES refund_batches (merchant_id, id)
        ON DELETE CASCADE,
    CHECK ((planned_code IS NULL) = (planned_minor IS NOT NULL))
);

ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_check CHECK (action IN (
    'SIGN_IN', 'SIGN_IN_FAILED', 'SIGN_OUT',
    'REFUND', 'REFUND_REFUSED',
    'PAYMENT_PASSWORD_SET', 'PAYMENT_PASSWORD_CHANGED',
    'PAYMENT_PASSWORD_WRONG', 'REFUNDS_LOCKED',
    'PAYMENT_PASSWORD_SET_BY_ADMIN', 'PAYMENT_PASSWORD_RESET',
    'REFUNDS_UNLOCKED',
    'USER_CREATED', 'ROLE_CHANGED', 'USER_DISABLED', 'USER_ENABLED',
    'API_KEY_ADDED', 'NOTIFICATION_RESENT',
    'REFUND_APPROVAL_REQUESTED', 'REFUND_APPROVED', 'REFUND_REJECTED',
    'REFUND_APPROVAL_EXPIRED', 'APPROVAL_SETTINGS_CHANGED',
    'REFUND_BATCH_UPLOADED', 'REFUND_BATCH_CONFIRMED', 'REFUND_BATCH_PAUSED',
    'REFUND_BATCH_RESUMED', 'REFUND_BATCH_CANCELLED'));
