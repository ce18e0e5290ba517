-- The language a user chose for the dashboard (docs/LANGUAGES.md). Without one, pages
-- follow the browser's Accept-Language.
ALTER TABLE users
    ADD COLUMN language text CHECK (language IN ('en', 'zh-CN', 'pt-BR'));

-- Sessions read the language with the user, in the same statement.
CREATE OR REPLACE VIEW session_users AS
SELECT u.id, u.email, u.display_name, u.role, m.id AS merchant_id, m.name AS merchant_name,
       m.time_zone, u.language
  FROM users u JOIN merchants m ON m.id = u.merchant_id
 WHERE NOT u.disabled AND m.status <> 'CLOSED';
