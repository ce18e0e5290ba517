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

-- Every instance keeps sessions with their users in memory: a new language must reach
-- them all, as a new role does.
DROP TRIGGER user_changed ON users;
CREATE TRIGGER user_changed
    AFTER UPDATE ON users
    FOR EACH ROW
    WHEN ((OLD.email, OLD.display_name, OLD.role, OLD.disabled, OLD.merchant_id, OLD.language)
          IS DISTINCT FROM (NEW.email, NEW.display_name, NEW.role, NEW.disabled, NEW.merchant_id, NEW.language))
    EXECUTE FUNCTION notify_change('user', 'id');
