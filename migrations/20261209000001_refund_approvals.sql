-- Approval above a limit (maker-checker), docs/RULES.md "Refund approvals".
--
-- A dashboard refund above its merchant's limit for the currency waits in
-- refund_approvals until another admin or operator approves or rejects it, or it expires.
-- While it waits, its amount is reserved: payment_refund_facts counts it as refunded, so
-- no refund or second request can take it, whichever instance or API client asks.

CREATE TABLE refund_approval_limits (
    merchant_id  uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    currency     char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- A refund of more than this (minor units) needs a second person; 0 means every one.
    limit_minor  bigint NOT NULL CHECK (limit_minor >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (merchant_id, currency)
);

-- How long a request waits for a decision before it expires and its reservation ends.
ALTER TABLE merchants
    ADD COLUMN refund_approval_hours integer NOT NULL DEFAULT 24
        CHECK (refund_approval_hours BETWEEN 1 AND 720);

CREATE TABLE refund_approvals (
    id                 bigint GENERATED ALWAYS AS IDENTITY,
    merchant_id        uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    -- The refund form's request ID: the approved refund is made under it, so approving
    -- twice, or a crash between the refund and this row's update, refunds once.
    refund_request_id  text NOT NULL,
    -- The payment's row (transactions.id); transactions are partitioned, so no FK.
    payment_row_id     bigint NOT NULL,
    payment_id         text NOT NULL,
    amount_minor       bigint NOT NULL CHECK (amount_minor > 0),
    currency           char(3) NOT NULL,
    reason             text,
    requested_by       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    requested_at       timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    status             text NOT NULL DEFAULT 'PENDING'
                       CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'EXPIRED')),
    decided_by         uuid REFERENCES users (id) ON DELETE CASCADE,
    decided_at         timestamptz,
    rejection_reason   text,
    -- Keys include merchant_id, as every key of a merchant's data does (docs/SCALING.md).
    PRIMARY KEY (merchant_id, id),
    UNIQUE (merchant_id, refund_request_id),
    CHECK ((status = 'PENDING') = (decided_at IS NULL))
);
CREATE INDEX refund_approvals_payment_idx ON refund_approvals (payment_row_id);
CREATE INDEX refund_approvals_merchant_idx ON refund_approvals (merchant_id, requested_at DESC);
CREATE INDEX refund_approvals_due_idx ON refund_approvals (expires_at) WHERE status = 'PENDING';

-- The facts now count what pending requests reserve. A reservation ends when its request
-- is decided, when it expires (by the clock, whether or not the expiry job has run yet),
-- or as soon as the refund engine has claimed its request ID (the claim commits with the
-- refund or its refusal, so the amount is counted once, by the refund). The engine
-- deciding an approved request passes its ID, so the request does not block itself.
DROP FUNCTION payment_refund_facts(bigint);
CREATE FUNCTION payment_refund_facts(payment_row_id bigint, deciding_request text DEFAULT NULL)
RETURNS TABLE (
    refunded_minor bigint,
    refund_count bigint,
    captured boolean,
    chargeback_pending boolean,
    charged_back_minor bigint
)
LANGUAGE sql STABLE
AS $$
    WITH related AS (
        SELECT
            coalesce(sum(amount_minor) FILTER (WHERE transaction_type = 'REFUND'
                     AND status IN ('SUCCESS', 'PROCESSING')), 0)::bigint AS refunded_minor,
            count(*) FILTER (WHERE transaction_type = 'REFUND'
                     AND status IN ('SUCCESS', 'PROCESSING')) AS refund_count,
            coalesce(bool_or(transaction_type = 'CAPTURE' AND status = 'SUCCESS'), false)
                AS captured,
            coalesce(bool_or(transaction_type = 'CHARGEBACK' AND status = 'PROCESSING'), false)
                AS chargeback_pending,
            coalesce(sum(amount_minor) FILTER (WHERE transaction_type = 'CHARGEBACK'
                     AND status = 'SUCCESS'), 0)::bigint AS charged_back_minor
        FROM transactions WHERE original_id = payment_row_id
    ),
    reserved AS (
        SELECT coalesce(sum(a.amount_minor), 0)::bigint AS minor, count(*) AS n
        FROM refund_approvals a
        WHERE a.payment_row_id = payment_refund_facts.payment_row_id
          AND a.status = 'PENDING' AND a.expires_at > now()
          AND a.refund_request_id IS DISTINCT FROM deciding_request
          AND NOT EXISTS (SELECT 1 FROM refund_requests r
                          WHERE r.merchant_id = a.merchant_id
                            AND r.refund_request_id = a.refund_request_id)
    )
    SELECT related.refunded_minor + reserved.minor, related.refund_count + reserved.n,
           related.captured, related.chargeback_pending, related.charged_back_minor
    FROM related, reserved
$$;

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
    'REFUND_APPROVAL_EXPIRED', 'APPROVAL_SETTINGS_CHANGED'));
