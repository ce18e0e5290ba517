-- What a payment's captures, refunds and chargebacks have done to it so far, as the
-- refund rules need it (docs/RULES.md). One function, so that the refund engine can
-- read it in the same statement that claims a refund request ID (one round trip) and
-- the details page can read it alone, both by the same definition. A SQL function
-- marked STABLE reads with its caller's snapshot, so the engine, which calls it after
-- locking the payment row, sees every refund committed before it got the lock.
CREATE FUNCTION payment_refund_facts(payment_row_id bigint)
RETURNS TABLE (
    refunded_minor bigint,
    refund_count bigint,
    captured boolean,
    chargeback_pending boolean,
    charged_back_minor bigint
)
LANGUAGE sql STABLE
AS $$
    SELECT
        coalesce(sum(amount_minor) FILTER (WHERE transaction_type = 'REFUND'
                 AND status IN ('SUCCESS', 'PROCESSING')), 0)::bigint,
        count(*) FILTER (WHERE transaction_type = 'REFUND'
                 AND status IN ('SUCCESS', 'PROCESSING')),
        coalesce(bool_or(transaction_type = 'CAPTURE' AND status = 'SUCCESS'), false),
        coalesce(bool_or(transaction_type = 'CHARGEBACK' AND status = 'PROCESSING'), false),
        coalesce(sum(amount_minor) FILTER (WHERE transaction_type = 'CHARGEBACK'
                 AND status = 'SUCCESS'), 0)::bigint
    FROM transactions WHERE original_id = payment_row_id
$$;
