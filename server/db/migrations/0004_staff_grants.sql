-- Permissions given to one staff member on top of their role (only those the matrix marks assignable),
-- such as letting a senior secretary waive or defer charges.
ALTER TABLE users ADD COLUMN grants text[] NOT NULL DEFAULT '{}'
  CHECK (grants <@ ARRAY['billing.waive']::text[]);

-- The session look-up now also returns the person's grants, read afresh on every request, so a grant
-- given or taken back applies from the next request on.
DROP FUNCTION auth_session(bytea, integer, boolean);
CREATE FUNCTION auth_session(p_token_hash bytea, p_idle_minutes integer, p_touch boolean)
RETURNS TABLE (session_id uuid, user_id uuid, clinic_id uuid, role text, username text, display_name text,
               language text, last_seen_at timestamptz, grants text[])
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT s.id, u.id, u.clinic_id, u.role, u.username, u.display_name, u.language, s.last_seen_at, u.grants
  FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND u.active
    AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(mins => p_idle_minutes);
  IF p_touch THEN
    UPDATE sessions SET last_seen_at = now()
    WHERE token_hash = p_token_hash AND revoked_at IS NULL AND last_seen_at < now() - interval '15 seconds'
      AND last_seen_at > now() - make_interval(mins => p_idle_minutes);
  END IF;
END $$;
REVOKE ALL ON FUNCTION auth_session(bytea, integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_session(bytea, integer, boolean) TO doctors_app;
