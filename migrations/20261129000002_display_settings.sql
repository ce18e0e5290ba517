-- The columns each user chose for the transaction query (display settings), kept on
-- the server so the choice follows them across sessions and devices.
CREATE TABLE user_display_settings (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    columns    text[] NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
