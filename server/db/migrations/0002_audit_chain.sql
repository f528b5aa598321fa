-- Tamper evidence for the audit trail: a SHA-256 hash chain over audit rows, each link also sealed with
-- an HMAC whose key lives outside the database. Rows are chained in (xid, id) order once their
-- transaction and every older one have finished, so concurrent writers never wait for the chain.

ALTER TABLE audit_log ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX audit_log_xid_idx ON audit_log (xid, id);

CREATE TABLE audit_chain (
  seq bigint PRIMARY KEY,
  audit_id bigint NOT NULL UNIQUE,
  audit_xid xid8 NOT NULL,
  hash bytea NOT NULL,
  mac bytea NOT NULL,
  sealed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
  FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

-- The exact text that is hashed for an audit row: stable across reads (jsonb has one canonical form).
CREATE FUNCTION audit_row_text(a audit_log) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_array(a.id, a.clinic_id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    a.actor_id, a.session_id, a.ip, a.action, a.entity_type, a.entity_id, a.patient_id, a.outcome, a.details)::text
$$;

CREATE FUNCTION audit_chain_head() RETURNS TABLE (seq bigint, hash bytea, audit_xid xid8, audit_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  (SELECT c.seq, c.hash, c.audit_xid, c.audit_id FROM audit_chain c ORDER BY c.seq DESC LIMIT 1)
  UNION ALL (SELECT 0::bigint, '\x'::bytea, '0'::xid8, 0::bigint)
  LIMIT 1
$$;

CREATE FUNCTION audit_unsealed(p_xid xid8, p_id bigint, p_limit integer) RETURNS TABLE (id bigint, xid xid8, row_text text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT a.id, a.xid, audit_row_text(a) FROM audit_log a
  WHERE (a.xid, a.id) > (p_xid, p_id) AND a.xid < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY a.xid, a.id LIMIT p_limit
$$;

CREATE FUNCTION audit_seal(p_links jsonb) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  INSERT INTO audit_chain (seq, audit_id, audit_xid, hash, mac)
  SELECT (l->>'seq')::bigint, (l->>'auditId')::bigint, (l->>'auditXid')::xid8, decode(l->>'hash', 'hex'), decode(l->>'mac', 'hex')
  FROM jsonb_array_elements(p_links) l
$$;

REVOKE ALL ON FUNCTION audit_chain_head(), audit_unsealed(xid8, bigint, integer), audit_seal(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_chain_head(), audit_unsealed(xid8, bigint, integer), audit_seal(jsonb) TO doctors_app;
