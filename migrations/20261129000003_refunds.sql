-- Refunds through the open API and the dashboard: API clients and their keys, the
-- platform's signing key, refund requests (idempotency), the balance ledger, the
-- notifyRefund outbox and its delivery attempts.

-- Where notifyRefund goes when a refund request names no refundNotifyUrl.
ALTER TABLE merchants ADD COLUMN notify_url text;

-- Merchants' RSA public keys, per client id and key version (the `keyVersion` of the
-- Signature header). A client id belongs to one merchant; a new key version is how a
-- merchant rotates keys without downtime.
CREATE TABLE api_clients (
    client_id      text NOT NULL,
    key_version    integer NOT NULL CHECK (key_version > 0),
    merchant_id    uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    -- X.509 SubjectPublicKeyInfo, DER.
    public_key_der bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, key_version)
);
CREATE INDEX api_clients_merchant_idx ON api_clients (merchant_id);

-- The key Paydesk signs responses and notifications with. Created on first use, so
-- that every server instance of one database signs with the same key.
CREATE TABLE platform_keys (
    key_version       integer PRIMARY KEY,
    private_key_pkcs8 bytea NOT NULL,
    public_key_der    bytea NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- Numbers for new refund IDs and serial numbers; sequences never hand out one twice,
-- however many requests run at once.
CREATE SEQUENCE refund_number_seq;

-- One row per (merchant, refundRequestId), forever: the idempotency record. A request
-- the engine decided on (accepted or refused by the refund rules or the balance) keeps
-- its answer here, and a repeat gets the same answer.
CREATE TABLE refund_requests (
    merchant_id         uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    refund_request_id   text NOT NULL,
    -- The paymentId as the merchant sent it (a capture's ID resolves to its payment).
    payment_ref         text NOT NULL,
    payment_id          bigint NOT NULL REFERENCES transactions (id) ON DELETE CASCADE,
    amount_minor        bigint NOT NULL,
    currency            char(3) NOT NULL,
    -- SUCCESS, REFUND_IN_PROCESS or the refusal's result code.
    result_code         text NOT NULL,
    result_message      text NOT NULL,
    -- The REFUND row in transactions; null when the request was refused.
    refund_id           bigint UNIQUE REFERENCES transactions (id) ON DELETE CASCADE,
    source              text NOT NULL CHECK (source IN ('API', 'DASHBOARD')),
    -- The API client that asked; notifications are signed under its client id.
    client_id           text,
    notify_url          text,
    -- Asynchronous refunds waiting for the acquirer: since when. Null once decided.
    acquirer_pending_since timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (merchant_id, refund_request_id)
);
CREATE INDEX refund_requests_pending_idx ON refund_requests (acquirer_pending_since)
    WHERE acquirer_pending_since IS NOT NULL;

-- Every change of a merchant balance, signed: refunds debit, refunds the acquirer
-- failed give the amount back. merchant_balances.available_minor is the running total.
CREATE TABLE balance_entries (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id         uuid NOT NULL,
    currency            char(3) NOT NULL,
    amount_minor        bigint NOT NULL,
    balance_after_minor bigint NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('REFUND', 'REFUND_FAILED')),
    transaction_id      bigint REFERENCES transactions (id) ON DELETE CASCADE,
    created_at          timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (merchant_id, currency) REFERENCES merchant_balances (merchant_id, currency)
        ON DELETE CASCADE
);
CREATE INDEX balance_entries_merchant_idx ON balance_entries (merchant_id, currency, created_at);
CREATE INDEX balance_entries_transaction_idx ON balance_entries (transaction_id);

-- The notifyRefund outbox. The body is fixed when the refund is final; each attempt
-- signs it anew with its own Request-Time.
CREATE TABLE refund_notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id     uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    refund_id       bigint NOT NULL REFERENCES transactions (id) ON DELETE CASCADE,
    url             text NOT NULL,
    client_id       text NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'PENDING'
                    CHECK (status IN ('PENDING', 'DELIVERED', 'GAVE_UP')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refund_notifications_due_idx ON refund_notifications (next_attempt_at)
    WHERE status = 'PENDING';
CREATE INDEX refund_notifications_refund_idx ON refund_notifications (refund_id);

-- Every delivery attempt, for the dashboard. The primary key also makes a second
-- recording of the same attempt impossible.
CREATE TABLE refund_notification_attempts (
    notification_id bigint NOT NULL REFERENCES refund_notifications (id) ON DELETE CASCADE,
    attempt_no      integer NOT NULL,
    attempted_at    timestamptz NOT NULL,
    -- Null when no HTTP answer came (refused connection, timeout).
    http_status     integer,
    latency_ms      integer NOT NULL,
    error           text,
    PRIMARY KEY (notification_id, attempt_no)
);
