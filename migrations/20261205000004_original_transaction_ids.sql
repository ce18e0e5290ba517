-- Each transaction keeps its original's transaction ID beside the original's key. The
-- listing, the details page and the exports show that ID on every row; read through a
-- join, PostgreSQL had to plan the join over every month's partition for each page
-- (2.6 ms of planning for 0.2 ms of work at 19 months, docs/SCALING.md, "Partitions").
-- A transaction ID never changes, so the copy cannot go stale.

ALTER TABLE transactions ADD COLUMN original_transaction_id text;
UPDATE transactions t SET original_transaction_id = o.transaction_id
  FROM transactions o
 WHERE o.id = t.original_id AND o.merchant_id = t.merchant_id
   AND o.created_at = t.original_created_at;
ALTER TABLE transactions ADD CONSTRAINT transactions_original_transaction_id_check
    CHECK ((original_id IS NULL) = (original_transaction_id IS NULL));

-- Fills the original's month and transaction ID when a writer leaves either out (the
-- refund engine and the demo-data loader give both). An original the merchant does not
-- have is refused as the foreign key refuses it.
CREATE FUNCTION fill_original() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    original record;
BEGIN
    SELECT created_at, transaction_id INTO original FROM transactions
     WHERE id = NEW.original_id AND merchant_id = NEW.merchant_id
       AND (NEW.original_created_at IS NULL OR created_at = NEW.original_created_at);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'insert or update on table "transactions" violates foreign key constraint "transactions_original_id_fkey"'
              USING ERRCODE = 'foreign_key_violation',
                    DETAIL = format('Key (original_id, merchant_id)=(%s, %s) is not present in table "transactions".',
                                    NEW.original_id, NEW.merchant_id);
    END IF;
    NEW.original_created_at := original.created_at;
    NEW.original_transaction_id := original.transaction_id;
    RETURN NEW;
END
$$;

DROP TRIGGER original_created_at ON transactions;
CREATE TRIGGER original BEFORE INSERT OR UPDATE OF original_id ON transactions
    FOR EACH ROW WHEN (NEW.original_id IS NOT NULL
                       AND (NEW.original_created_at IS NULL OR NEW.original_transaction_id IS NULL))
    EXECUTE FUNCTION fill_original();
