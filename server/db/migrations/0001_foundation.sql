-- Foundation: clinics, staff, sessions, patients, appointments, visits, audit trail and the event outbox.
-- Every clinic table carries clinic_id and is protected by row-level security keyed on app.clinic_id,
-- which the application sets per transaction while connected as the unprivileged doctors_app role.

CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'doctors_app') THEN
    CREATE ROLE doctors_app NOLOGIN NOSUPERUSER NOINHERIT NOBYPASSRLS;
  END IF;
END $$;
GRANT doctors_app TO CURRENT_USER;

CREATE FUNCTION current_clinic_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.clinic_id', true), '')::uuid $$;

CREATE TABLE clinics (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  time_zone text NOT NULL,
  currency char(3) NOT NULL,
  default_language text NOT NULL CHECK (default_language IN ('en', 'ar')),
  wait_threshold_minutes integer NOT NULL DEFAULT 30 CHECK (wait_threshold_minutes BETWEEN 1 AND 600),
  mrn_counter bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id uuid PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  username text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'secretary', 'doctor', 'lab')),
  password_hash text NOT NULL,
  language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ar')),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users(id),
  version integer NOT NULL DEFAULT 1
);
-- Usernames are unique across the whole installation so that login needs no clinic picker.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE INDEX users_clinic_idx ON users (clinic_id, role);

CREATE TABLE doctor_profiles (
  user_id uuid PRIMARY KEY REFERENCES users(id),
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  consultation_type text NOT NULL,
  slot_minutes integer NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240)
);

CREATE TABLE doctor_schedule_blocks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  doctor_id uuid NOT NULL REFERENCES users(id),
  weekday smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
  start_time time NOT NULL,
  end_time time NOT NULL CHECK (end_time > start_time)
);
CREATE INDEX doctor_schedule_blocks_doctor_idx ON doctor_schedule_blocks (doctor_id, weekday);

CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  user_id uuid NOT NULL REFERENCES users(id),
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text,
  ip text,
  user_agent text
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;

-- Failed logins, keyed by account and by address; not clinic data, so no row-level security.
CREATE TABLE login_failures (
  key text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (key, at);

CREATE TABLE patients (
  id uuid PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  mrn text NOT NULL,
  given_name_latin text,
  family_name_latin text,
  given_name_arabic text,
  family_name_arabic text,
  sex text NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
  birth_date date NOT NULL,
  phone text NOT NULL,
  phone_digits text NOT NULL,
  national_id text,
  address text,
  emergency_contact_name text,
  emergency_contact_phone text,
  front_desk_notes text,
  search_name text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid NOT NULL REFERENCES users(id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid NOT NULL REFERENCES users(id),
  CHECK ((given_name_latin IS NOT NULL AND family_name_latin IS NOT NULL)
      OR (given_name_arabic IS NOT NULL AND family_name_arabic IS NOT NULL))
);
CREATE UNIQUE INDEX patients_mrn_key ON patients (clinic_id, mrn);
CREATE UNIQUE INDEX patients_national_id_key ON patients (clinic_id, national_id) WHERE national_id IS NOT NULL;
CREATE INDEX patients_search_name_trgm ON patients USING gin (search_name gin_trgm_ops);
CREATE INDEX patients_phone_digits_trgm ON patients USING gin (phone_digits gin_trgm_ops);
CREATE INDEX patients_birth_date_idx ON patients (clinic_id, birth_date);
CREATE INDEX patients_recent_idx ON patients (clinic_id, updated_at DESC);

-- Every version of a patient's demographics, written in the same transaction as the change.
CREATE TABLE patient_versions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  patient_id uuid NOT NULL REFERENCES patients(id),
  version integer NOT NULL,
  data jsonb NOT NULL,
  changed_fields text[] NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changed_by uuid NOT NULL REFERENCES users(id),
  UNIQUE (patient_id, version)
);

CREATE TABLE appointments (
  id uuid PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  doctor_id uuid NOT NULL REFERENCES users(id),
  patient_id uuid NOT NULL REFERENCES patients(id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
  status text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'checked_in', 'cancelled', 'no_show')),
  reason text,
  cancel_reason text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid NOT NULL REFERENCES users(id),
  -- A doctor cannot be booked twice for overlapping time; cancelled and no-show slots are free again.
  CONSTRAINT appointments_no_overlap EXCLUDE USING gist (
    doctor_id WITH =, tstzrange(starts_at, ends_at) WITH &&
  ) WHERE (status IN ('booked', 'checked_in'))
);
CREATE INDEX appointments_doctor_day_idx ON appointments (clinic_id, doctor_id, starts_at);
CREATE INDEX appointments_patient_idx ON appointments (patient_id, starts_at);

CREATE TABLE appointment_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  appointment_id uuid NOT NULL REFERENCES appointments(id),
  from_status text,
  to_status text NOT NULL,
  starts_at timestamptz NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  by_user uuid NOT NULL REFERENCES users(id),
  reason text
);
CREATE INDEX appointment_history_appointment_idx ON appointment_history (appointment_id);

CREATE TABLE visits (
  id uuid PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  patient_id uuid NOT NULL REFERENCES patients(id),
  doctor_id uuid REFERENCES users(id),
  appointment_id uuid UNIQUE REFERENCES appointments(id),
  clinic_day date NOT NULL,
  queue_number integer NOT NULL,
  status text NOT NULL CHECK (status IN ('awaiting_payment', 'waiting', 'in_consultation', 'awaiting_results',
                                         'completed', 'cancelled', 'left_without_being_seen')),
  checked_in_at timestamptz NOT NULL DEFAULT now(),
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  created_by uuid NOT NULL REFERENCES users(id),
  UNIQUE (clinic_id, clinic_day, queue_number)
);
-- The two rules of the queue, held by the database so that no race can break them.
CREATE UNIQUE INDEX visits_one_active_per_patient ON visits (patient_id)
  WHERE status NOT IN ('completed', 'cancelled', 'left_without_being_seen');
CREATE UNIQUE INDEX visits_one_consultation_per_doctor ON visits (doctor_id)
  WHERE status = 'in_consultation';
CREATE INDEX visits_day_idx ON visits (clinic_id, clinic_day, status);

CREATE TABLE visit_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  visit_id uuid NOT NULL REFERENCES visits(id),
  from_status text,
  to_status text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  by_user uuid NOT NULL REFERENCES users(id),
  reason text
);
CREATE INDEX visit_history_visit_idx ON visit_history (visit_id, id);

-- Queue numbers restart every clinic day; the counter row serialises only check-ins of one clinic.
CREATE TABLE daily_counters (
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  clinic_day date NOT NULL,
  kind text NOT NULL,
  value integer NOT NULL,
  PRIMARY KEY (clinic_id, clinic_day, kind)
);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid REFERENCES users(id),
  session_id uuid,
  ip text,
  action text NOT NULL,
  entity_type text,
  entity_id uuid,
  patient_id uuid,
  outcome text NOT NULL CHECK (outcome IN ('success', 'refused', 'denied')),
  details jsonb
);
CREATE INDEX audit_log_clinic_idx ON audit_log (clinic_id, id DESC);
CREATE INDEX audit_log_patient_idx ON audit_log (clinic_id, patient_id, id DESC) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_log_actor_idx ON audit_log (clinic_id, actor_id, id DESC);

-- The outbox is the event log: xid lets tailers read only rows whose transactions have all finished.
CREATE TABLE outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  type text NOT NULL,
  entity_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_xid_idx ON outbox (xid, id);

CREATE FUNCTION reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION reject_change();
CREATE TRIGGER visit_history_append_only BEFORE UPDATE OR DELETE ON visit_history
  FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER visit_history_no_truncate BEFORE TRUNCATE ON visit_history
  FOR EACH STATEMENT EXECUTE FUNCTION reject_change();
CREATE TRIGGER patient_versions_append_only BEFORE UPDATE OR DELETE ON patient_versions
  FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER patient_versions_no_truncate BEFORE TRUNCATE ON patient_versions
  FOR EACH STATEMENT EXECUTE FUNCTION reject_change();
CREATE TRIGGER appointment_history_append_only BEFORE UPDATE OR DELETE ON appointment_history
  FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER appointment_history_no_truncate BEFORE TRUNCATE ON appointment_history
  FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

-- Row-level security: a transaction sees only the clinic it declared.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'doctor_profiles', 'doctor_schedule_blocks', 'sessions', 'patients',
    'patient_versions', 'appointments', 'appointment_history', 'visits', 'visit_history', 'daily_counters',
    'audit_log', 'outbox']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY clinic_isolation ON %I USING (clinic_id = current_clinic_id()) '
                   'WITH CHECK (clinic_id = current_clinic_id())', t);
  END LOOP;
END $$;
ALTER TABLE clinics ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_isolation ON clinics USING (id = current_clinic_id()) WITH CHECK (id = current_clinic_id());

-- The few look-ups that must work before a clinic is known run as the owner, with narrow results.
CREATE FUNCTION auth_setup_needed() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT NOT EXISTS (SELECT 1 FROM clinics) $$;

CREATE FUNCTION auth_find_login(p_username text)
RETURNS TABLE (user_id uuid, clinic_id uuid, password_hash text, active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT id, clinic_id, password_hash, active FROM users WHERE lower(username) = lower(p_username) $$;

-- Returns the live session for a token hash and, when p_touch, records the activity that keeps it alive.
CREATE FUNCTION auth_session(p_token_hash bytea, p_idle_minutes integer, p_touch boolean)
RETURNS TABLE (session_id uuid, user_id uuid, clinic_id uuid, role text, username text, display_name text,
               language text, last_seen_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT s.id, u.id, u.clinic_id, u.role, u.username, u.display_name, u.language, s.last_seen_at
  FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND u.active
    AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(mins => p_idle_minutes);
  -- Touch at most every 15 seconds: enough precision for a minutes-long idle timeout, far fewer writes.
  IF p_touch THEN
    UPDATE sessions SET last_seen_at = now()
    WHERE token_hash = p_token_hash AND revoked_at IS NULL AND last_seen_at < now() - interval '15 seconds'
      AND last_seen_at > now() - make_interval(mins => p_idle_minutes);
  END IF;
END $$;

REVOKE ALL ON FUNCTION auth_setup_needed(), auth_find_login(text), auth_session(bytea, integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_setup_needed(), auth_find_login(text), auth_session(bytea, integer, boolean)
  TO doctors_app;

GRANT SELECT, INSERT, UPDATE ON clinics, users, doctor_profiles, sessions, patients, appointments, visits,
  daily_counters TO doctors_app;
GRANT SELECT, INSERT, DELETE ON doctor_schedule_blocks, login_failures TO doctors_app;
GRANT SELECT, INSERT ON patient_versions, appointment_history, visit_history, audit_log, outbox TO doctors_app;

-- Outbox tailing across clinics: only rows whose transactions (and all older ones) have finished, so a
-- cursor of (xid, id) never skips a row that commits late.
CREATE FUNCTION outbox_after(p_xid xid8, p_id bigint, p_limit integer)
RETURNS TABLE (id bigint, clinic_id uuid, xid xid8, type text, entity_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT o.id, o.clinic_id, o.xid, o.type, o.entity_id FROM outbox o
  WHERE (o.xid, o.id) > (p_xid, p_id) AND o.xid < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY o.xid, o.id LIMIT p_limit
$$;

-- The tail position now: where a tailer starts, so it replays nothing that happened before it.
CREATE FUNCTION outbox_head() RETURNS TABLE (xid xid8, id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT h.xid, h.id FROM (
    (SELECT o.xid, o.id FROM outbox o WHERE o.xid < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY o.xid DESC, o.id DESC LIMIT 1)
    UNION ALL (SELECT '0'::xid8, 0::bigint)
  ) h LIMIT 1
$$;

REVOKE ALL ON FUNCTION outbox_after(xid8, bigint, integer), outbox_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION outbox_after(xid8, bigint, integer), outbox_head() TO doctors_app;

-- Which of these sessions are still live, and with which role: one query re-checks every open event
-- stream before each delivery.
CREATE FUNCTION auth_live_sessions(p_ids uuid[], p_idle_minutes integer)
RETURNS TABLE (session_id uuid, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT s.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.id = ANY(p_ids) AND s.revoked_at IS NULL AND u.active AND s.expires_at > now()
    AND s.last_seen_at > now() - make_interval(mins => p_idle_minutes)
$$;
REVOKE ALL ON FUNCTION auth_live_sessions(uuid[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_live_sessions(uuid[], integer) TO doctors_app;

-- Patient search. Row-level security would forbid the trigram indexes here (LIKE is not leakproof, so
-- PostgreSQL must check the policy on every row first: a sequential scan at 100,000 patients). This
-- function therefore runs as the owner and applies the clinic filter itself, in every branch, so each
-- branch uses its own index. Exact matches (record number, national id) rank first, then phone, then name.
CREATE FUNCTION patient_search(p_exact text, p_digits text, p_name_main text, p_name_all text[], p_limit integer)
RETURNS TABLE (id uuid, mrn text, given_name_latin text, family_name_latin text, given_name_arabic text,
               family_name_arabic text, sex text, birth_date date, phone text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH clinic AS (SELECT current_clinic_id() AS id),
  hits AS (
    SELECT p.id, 0 AS rank FROM patients p, clinic c WHERE p_exact IS NOT NULL AND p.clinic_id = c.id AND p.mrn = p_exact
    UNION ALL
    SELECT p.id, 0 FROM patients p, clinic c WHERE p_exact IS NOT NULL AND p.clinic_id = c.id AND p.national_id = p_exact
    UNION ALL
    SELECT p.id, 1 FROM patients p, clinic c
    WHERE p_digits IS NOT NULL AND p.clinic_id = c.id AND p.phone_digits LIKE '%' || p_digits || '%'
    UNION ALL
    SELECT p.id, 2 FROM patients p, clinic c
    WHERE p_name_main IS NOT NULL AND p.clinic_id = c.id AND p.search_name LIKE p_name_main
      AND p.search_name LIKE ALL (p_name_all)
  ),
  ranked AS (SELECT h.id, min(h.rank) AS rank FROM hits h GROUP BY h.id)
  SELECT p.id, p.mrn, p.given_name_latin, p.family_name_latin, p.given_name_arabic, p.family_name_arabic,
         p.sex, p.birth_date, p.phone
  FROM ranked r JOIN patients p ON p.id = r.id
  ORDER BY r.rank, p.search_name, p.mrn
  LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION patient_search(text, text, text, text[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION patient_search(text, text, text, text[], integer) TO doctors_app;
