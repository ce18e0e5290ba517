-- Every primary and unique key of a merchant's data includes merchant_id, and every
-- foreign key between such rows carries it, so that the schema can be distributed by
-- merchant (Citus) without a redesign: each row's key says which merchant's shard holds
-- it, and a refund or a dashboard query touches one merchant (docs/SCALING.md).
--
-- merchant_id comes last in each key, so that the lookups by id alone that the code
-- makes (the refund engine, the workers, the details page) still use the key's index.
-- Users, sessions and API client ids stay global: sign-in and a signed API call find
-- the merchant through them.

-- Foreign keys that point at rows whose keys change.
ALTER TABLE transactions DROP CONSTRAINT transactions_original_id_fkey;
ALTER TABLE refund_requests
    DROP CONSTRAINT refund_requests_payment_id_fkey,
    DROP CONSTRAINT refund_requests_refund_id_fkey,
    DROP CONSTRAINT refund_requests_refund_id_key;
ALTER TABLE balance_entries DROP CONSTRAINT balance_entries_transaction_id_fkey;
ALTER TABLE refund_notifications DROP CONSTRAINT refund_notifications_refund_id_fkey;
ALTER TABLE refund_notification_attempts
    DROP CONSTRAINT refund_notification_attempts_notification_id_fkey;

-- Transactions. Paydesk's transaction IDs are made unique by how they are made (a
-- sequence for refunds, random for demo payments); the database now holds them unique
-- per merchant, as a distributed database can.
ALTER TABLE transactions DROP CONSTRAINT transactions_pkey,
    ADD PRIMARY KEY (id, merchant_id);
DROP INDEX transactions_transaction_id_key;
CREATE UNIQUE INDEX transactions_transaction_id_key ON transactions (transaction_id, merchant_id);
ALTER TABLE transactions ADD CONSTRAINT transactions_original_id_fkey
    FOREIGN KEY (original_id, merchant_id) REFERENCES transactions (id, merchant_id);

-- The idempotency rows of refunds.
ALTER TABLE refund_requests
    ADD CONSTRAINT refund_requests_refund_id_key UNIQUE (refund_id, merchant_id),
    ADD CONSTRAINT refund_requests_payment_id_fkey FOREIGN KEY (payment_id, merchant_id)
        REFERENCES transactions (id, merchant_id) ON DELETE CASCADE,
    ADD CONSTRAINT refund_requests_refund_id_fkey FOREIGN KEY (refund_id, merchant_id)
        REFERENCES transactions (id, merchant_id) ON DELETE CASCADE;

-- The ledger.
ALTER TABLE balance_entries DROP CONSTRAINT balance_entries_pkey,
    ADD PRIMARY KEY (id, merchant_id),
    ADD CONSTRAINT balance_entries_transaction_id_fkey FOREIGN KEY (transaction_id, merchant_id)
        REFERENCES transactions (id, merchant_id) ON DELETE CASCADE;

-- The notifyRefund outbox and its attempts.
ALTER TABLE refund_notifications DROP CONSTRAINT refund_notifications_pkey,
    ADD PRIMARY KEY (id, merchant_id),
    ADD CONSTRAINT refund_notifications_refund_id_fkey FOREIGN KEY (refund_id, merchant_id)
        REFERENCES transactions (id, merchant_id) ON DELETE CASCADE;
ALTER TABLE refund_notification_attempts ADD COLUMN merchant_id uuid;
UPDATE refund_notification_attempts a SET merchant_id = n.merchant_id
  FROM refund_notifications n WHERE n.id = a.notification_id;
ALTER TABLE refund_notification_attempts
    ALTER COLUMN merchant_id SET NOT NULL,
    DROP CONSTRAINT refund_notification_attempts_pkey,
    ADD PRIMARY KEY (notification_id, attempt_no, merchant_id),
    ADD CONSTRAINT refund_notification_attempts_notification_id_fkey
        FOREIGN KEY (notification_id, merchant_id)
        REFERENCES refund_notifications (id, merchant_id) ON DELETE CASCADE;

-- The audit log.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey, ADD PRIMARY KEY (id, merchant_id);

-- Export progress.
ALTER TABLE export_jobs DROP CONSTRAINT export_jobs_pkey, ADD PRIMARY KEY (user_id, job, merchant_id);
