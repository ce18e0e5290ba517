-- The secret key of refund receipts' verification codes (HMAC-SHA256). Made at random
-- by the first server to start and kept here, so that every instance makes and checks
-- the same codes and no build of Paydesk carries a key anyone could read. A key given in
-- PAYDESK_RECEIPT_KEY is used instead.
CREATE TABLE receipt_keys (
    key_version integer PRIMARY KEY,
    secret      bytea NOT NULL CHECK (length(secret) >= 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);
