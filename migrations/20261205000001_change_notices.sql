-- Each Paydesk instance keeps a few rows in memory: sessions with their users, users'
-- chosen columns, merchants' filter lists (docs/ARCHITECTURE.md, "What is cached").
-- These triggers announce every change to those rows on the channel paydesk_changes;
-- PostgreSQL delivers a notice at commit, whichever program made the change.

CREATE FUNCTION notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
    -- TG_ARGV[0] names the topic, TG_ARGV[1] the column holding its id.
    PERFORM pg_notify('paydesk_changes',
                      TG_ARGV[0] || ':' || (to_jsonb(changed) ->> TG_ARGV[1]));
    RETURN NULL;
END $$;

CREATE FUNCTION notify_lists_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('paydesk_changes', 'lists');
    RETURN NULL;
END $$;

-- Sessions: saved again (new expiry or data) or deleted (sign-out, expiry).
CREATE TRIGGER session_changed
    AFTER UPDATE OR DELETE ON tower_sessions.session
    FOR EACH ROW EXECUTE FUNCTION notify_change('session', 'id');

-- Users: only what a session shows of them. Sign-in times and payment-password
-- strikes change often and are not cached.
CREATE TRIGGER user_changed
    AFTER UPDATE ON users
    FOR EACH ROW
    WHEN ((OLD.email, OLD.display_name, OLD.role, OLD.disabled, OLD.merchant_id)
          IS DISTINCT FROM (NEW.email, NEW.display_name, NEW.role, NEW.disabled, NEW.merchant_id))
    EXECUTE FUNCTION notify_change('user', 'id');
CREATE TRIGGER user_deleted
    AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION notify_change('user', 'id');

CREATE TRIGGER columns_changed
    AFTER INSERT OR UPDATE OR DELETE ON user_display_settings
    FOR EACH ROW EXECUTE FUNCTION notify_change('user', 'user_id');

CREATE TRIGGER merchant_changed
    AFTER UPDATE ON merchants
    FOR EACH ROW
    WHEN ((OLD.name, OLD.time_zone, OLD.status) IS DISTINCT FROM (NEW.name, NEW.time_zone, NEW.status))
    EXECUTE FUNCTION notify_change('merchant', 'id');
CREATE TRIGGER merchant_deleted
    AFTER DELETE ON merchants
    FOR EACH ROW EXECUTE FUNCTION notify_change('merchant', 'id');

-- A merchant's currencies are its balances' (balance updates do not change the list).
CREATE TRIGGER currencies_changed
    AFTER INSERT OR DELETE ON merchant_balances
    FOR EACH ROW EXECUTE FUNCTION notify_change('merchant', 'merchant_id');

CREATE TRIGGER payment_methods_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON payment_methods
    FOR EACH STATEMENT EXECUTE FUNCTION notify_lists_change();
CREATE TRIGGER acquirers_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON acquirers
    FOR EACH STATEMENT EXECUTE FUNCTION notify_lists_change();
