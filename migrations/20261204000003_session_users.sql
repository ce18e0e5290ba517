-- A session keeps its signed-in user's id in a column of its own, so that a request
-- reads its session and its user in one statement (app/src/auth/session_store.rs).

-- The session data changes format (JSON instead of the old store's MessagePack): the
-- sessions of before are ended, and their users sign in once more.
DELETE FROM tower_sessions.session;
ALTER TABLE tower_sessions.session
    ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX session_user_idx ON tower_sessions.session (user_id);
CREATE INDEX session_expiry_idx ON tower_sessions.session (expiry_date);

-- Who may use a session: an enabled user of a merchant that is not closed, with what
-- every request needs of them.
CREATE VIEW session_users AS
SELECT u.id, u.email, u.display_name, u.role, m.id AS merchant_id, m.name AS merchant_name,
       m.time_zone
  FROM users u JOIN merchants m ON m.id = u.merchant_id
 WHERE NOT u.disabled AND m.status <> 'CLOSED';
