-- A client id belongs to one merchant forever, and a stored key version never changes.
--
-- Before this, ownership was checked by the code before an insert, so two merchants
-- adding a key to the same new client id at the same moment could both pass the check.
-- Now the database holds the owner: `api_client_ids` has one row per client id, and
-- every key row must name that row's merchant (a composite foreign key), so a key of
-- another merchant cannot be stored under the id whatever the code does.

CREATE TABLE api_client_ids (
    client_id   text PRIMARY KEY,
    merchant_id uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (client_id, merchant_id)
);

-- Existing keys: the merchant of a client id's first key owns it. Keys that another
-- merchant stored under it (only possible through the race above) are removed.
INSERT INTO api_client_ids (client_id, merchant_id, created_at)
SELECT DISTINCT ON (client_id) client_id, merchant_id, created_at
  FROM api_clients
 ORDER BY client_id, key_version, created_at;

DELETE FROM api_clients c
 USING api_client_ids o
 WHERE o.client_id = c.client_id AND o.merchant_id <> c.merchant_id;

ALTER TABLE api_clients
    ADD CONSTRAINT api_clients_owner_fkey FOREIGN KEY (client_id, merchant_id)
        REFERENCES api_client_ids (client_id, merchant_id) ON DELETE CASCADE;

-- Keys are added, never replaced: rotating a key is adding a version. A signature made
-- with a key that was swapped underneath would otherwise verify against the new one.
CREATE FUNCTION api_clients_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'api_clients rows are never updated; add a key version instead'
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TRIGGER api_clients_no_update BEFORE UPDATE ON api_clients
    FOR EACH ROW EXECUTE FUNCTION api_clients_immutable();
