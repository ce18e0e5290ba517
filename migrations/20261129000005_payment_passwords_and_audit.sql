-- Refunds from the dashboard: each user's payment password with its lock, and the
-- merchant's audit log.

-- The payment password confirms each dashboard refund. Null until the user sets one,
-- and again after an admin resets it.
ALTER TABLE users
    ADD COLUMN payment_password_hash     text,
    -- Wrong payment passwords since the last right one or the last lock.
    ADD COLUMN payment_password_failures integer NOT NULL DEFAULT 0
               CHECK (payment_password_failures >= 0),
    -- Refunds by this user are refused until then (too many wrong payment passwords).
    ADD COLUMN refunds_locked_until      timestamptz;

-- Who did what, when and from where: sign-ins, refunds with their amounts, password,
-- role and user changes, API key changes. Rows are only ever added.
CREATE TABLE audit_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id   uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    -- The dashboard user who acted; null for the open API and the server itself.
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    -- The actor as shown: an e-mail address, "API client <id>" or "Paydesk".
    actor         text NOT NULL,
    action        text NOT NULL CHECK (action IN (
                      'SIGN_IN', 'SIGN_IN_FAILED', 'SIGN_OUT',
                      'REFUND', 'REFUND_REFUSED',
                      'PAYMENT_PASSWORD_SET', 'PAYMENT_PASSWORD_CHANGED',
                      'PAYMENT_PASSWORD_WRONG', 'REFUNDS_LOCKED',
                      'PAYMENT_PASSWORD_SET_BY_ADMIN', 'PAYMENT_PASSWORD_RESET',
                      'REFUNDS_UNLOCKED',
                      'USER_CREATED', 'ROLE_CHANGED', 'USER_DISABLED', 'USER_ENABLED',
                      'API_KEY_ADDED', 'NOTIFICATION_RESENT')),
    -- What the action was about: a user's e-mail, a transaction ID, a client id.
    subject       text,
    amount_minor  bigint,
    currency      char(3),
    detail        text,
    -- The client's IP address; null when the actor is not a dashboard user.
    address       text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((amount_minor IS NULL) = (currency IS NULL))
);
-- The audit log page: newest first per merchant, optionally by action or actor.
CREATE INDEX audit_events_merchant_idx ON audit_events (merchant_id, created_at DESC, id DESC);
CREATE INDEX audit_events_action_idx ON audit_events (merchant_id, action, created_at DESC, id DESC);
