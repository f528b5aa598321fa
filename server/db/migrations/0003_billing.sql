-- Billing: the price list, charges, payments, invoices and credit notes. Money is integer minor units of
-- the clinic's currency (bigint), never floating point. Nothing issued is ever edited or deleted.

CREATE TABLE services (
  id uuid PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  code text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9._-]{0,19}$'),
  name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 120),
  name_ar text NOT NULL CHECK (length(name_ar) BETWEEN 1 AND 120),
  kind text NOT NULL CHECK (kind IN ('consultation', 'lab_test', 'procedure')),
  -- A consultation price applies to one consultation type (the doctor's); other kinds have none.
  consultation_type text CHECK ((kind = 'consultation') = (consultation_type IS NOT NULL)),
  price_minor bigint NOT NULL CHECK (price_minor BETWEEN 0 AND 1000000000000),
  tax_rate_bp integer NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clinic_id, code)
);
CREATE UNIQUE INDEX services_one_active_consultation_price ON services (clinic_id, consultation_type)
  WHERE kind = 'consultation' AND active;

-- A charge copies the service's name and price when it is made: a later price change never touches it.
CREATE TABLE charges (
  id uuid PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  patient_id uuid NOT NULL REFERENCES patients(id),
  visit_id uuid REFERENCES visits(id),
  service_id uuid NOT NULL REFERENCES services(id),
  kind text NOT NULL CHECK (kind IN ('consultation', 'lab_test', 'procedure')),
  code text NOT NULL,
  name_en text NOT NULL,
  name_ar text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  tax_rate_bp integer NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
  tax_minor bigint NOT NULL CHECK (tax_minor >= 0),
  status text NOT NULL CHECK (status IN ('pending', 'paid', 'waived', 'cancelled', 'refunded')),
  -- Deferred: still owed, but the service may start (a permission and a written reason).
  deferred boolean NOT NULL DEFAULT false,
  note text,
  payment_id uuid,
  refunded_minor bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid NOT NULL REFERENCES users(id),
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK (refunded_minor BETWEEN 0 AND amount_minor + tax_minor),
  CHECK ((status IN ('paid', 'refunded')) = (payment_id IS NOT NULL)),
  CHECK (status <> 'refunded' OR refunded_minor = amount_minor + tax_minor),
  CHECK (NOT (status IN ('waived', 'cancelled') OR deferred) OR note IS NOT NULL)
);
CREATE UNIQUE INDEX charges_one_consultation_per_visit ON charges (visit_id)
  WHERE kind = 'consultation' AND status <> 'cancelled';
CREATE INDEX charges_open_idx ON charges (clinic_id, patient_id) WHERE status = 'pending';
CREATE INDEX charges_visit_idx ON charges (visit_id);

CREATE TABLE charge_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  charge_id uuid NOT NULL REFERENCES charges(id),
  from_status text,
  to_status text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  by_user uuid NOT NULL REFERENCES users(id),
  reason text
);
CREATE INDEX charge_history_charge_idx ON charge_history (charge_id, id);

-- One row per payment request. The idempotency key is unique per clinic, so a repeated request (a
-- double click, a retry after a lost answer) finds the first payment instead of taking the money twice.
CREATE TABLE payments (
  id uuid PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  patient_id uuid NOT NULL REFERENCES patients(id),
  idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 8 AND 100),
  request_hash text NOT NULL,
  total_minor bigint NOT NULL CHECK (total_minor > 0),
  received_by uuid NOT NULL REFERENCES users(id),
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clinic_id, idempotency_key)
);
ALTER TABLE charges ADD FOREIGN KEY (payment_id) REFERENCES payments(id);

CREATE TABLE payment_parts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  payment_id uuid NOT NULL REFERENCES payments(id),
  method text NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  tendered_minor bigint CHECK (tendered_minor IS NULL OR (method = 'cash' AND tendered_minor >= amount_minor)),
  reference text
);
CREATE INDEX payment_parts_payment_idx ON payment_parts (payment_id);

-- Gap-free numbers: one counter row per clinic, series and year, incremented in the transaction that
-- issues the document. A rollback rolls the counter back too, so no number is skipped or reused.
CREATE TABLE document_counters (
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  series text NOT NULL CHECK (series IN ('INV', 'CN')),
  year integer NOT NULL,
  last_value integer NOT NULL,
  PRIMARY KEY (clinic_id, series, year)
);

CREATE TABLE invoices (
  id uuid PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  year integer NOT NULL,
  seq integer NOT NULL CHECK (seq > 0),
  number text NOT NULL,
  payment_id uuid NOT NULL UNIQUE REFERENCES payments(id),
  patient_id uuid NOT NULL REFERENCES patients(id),
  currency text NOT NULL,
  subtotal_minor bigint NOT NULL,
  tax_minor bigint NOT NULL,
  total_minor bigint NOT NULL CHECK (total_minor = subtotal_minor + tax_minor),
  -- Everything printed on the invoice, as it was at issue: the clinic, the patient, lines, payment.
  snapshot jsonb NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  issued_by uuid NOT NULL REFERENCES users(id),
  UNIQUE (clinic_id, year, seq),
  UNIQUE (clinic_id, number)
);
CREATE INDEX invoices_patient_idx ON invoices (clinic_id, patient_id, issued_at DESC);
CREATE INDEX invoices_issued_idx ON invoices (clinic_id, issued_at DESC);

CREATE TABLE credit_notes (
  id uuid PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  year integer NOT NULL,
  seq integer NOT NULL CHECK (seq > 0),
  number text NOT NULL,
  invoice_id uuid NOT NULL REFERENCES invoices(id),
  patient_id uuid NOT NULL REFERENCES patients(id),
  idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 8 AND 100),
  request_hash text NOT NULL,
  method text NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
  total_minor bigint NOT NULL CHECK (total_minor > 0),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  snapshot jsonb NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  issued_by uuid NOT NULL REFERENCES users(id),
  UNIQUE (clinic_id, year, seq),
  UNIQUE (clinic_id, number),
  UNIQUE (clinic_id, idempotency_key)
);
CREATE INDEX credit_notes_invoice_idx ON credit_notes (invoice_id);

CREATE TABLE credit_note_lines (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  credit_note_id uuid NOT NULL REFERENCES credit_notes(id),
  charge_id uuid NOT NULL REFERENCES charges(id),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0)
);

-- Each time a document is printed; every print after the first is marked COPY.
CREATE TABLE document_prints (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics(id),
  document_id uuid NOT NULL,
  language text NOT NULL,
  printed_at timestamptz NOT NULL DEFAULT now(),
  printed_by uuid NOT NULL REFERENCES users(id)
);
CREATE INDEX document_prints_document_idx ON document_prints (document_id);

-- Issued documents, money received and every history row are append-only.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['charge_history', 'payments', 'payment_parts', 'invoices', 'credit_notes',
    'credit_note_lines', 'document_prints']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION reject_change()',
                   t || '_append_only', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION reject_change()',
                   t || '_no_truncate', t);
  END LOOP;
END $$;

-- The payment gate, the one question every service asks before it starts: is the visit's charge of this
-- kind settled (paid or waived) or deferred? A visit with no such charge has nothing to settle.
CREATE FUNCTION billing_cleared(p_visit_id uuid, p_kind text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT NOT EXISTS (
    SELECT 1 FROM charges c
    WHERE c.visit_id = p_visit_id AND c.kind = p_kind AND c.status <> 'cancelled'
      AND NOT (c.status IN ('paid', 'waived') OR (c.status = 'pending' AND c.deferred))
  )
$$;

-- Held by the database inside the transition's own transaction: no consultation starts, and no visit
-- joins the queue, while its consultation charge is owed, whatever the application does.
CREATE FUNCTION visits_payment_gate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IN ('waiting', 'in_consultation') AND NEW.status IS DISTINCT FROM OLD.status
     AND NOT billing_cleared(NEW.id, 'consultation') THEN
    RAISE EXCEPTION 'visit % has an unpaid consultation charge', NEW.id
      USING ERRCODE = 'DS402', CONSTRAINT = 'visits_payment_gate';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER visits_payment_gate BEFORE UPDATE OF status ON visits
  FOR EACH ROW EXECUTE FUNCTION visits_payment_gate();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['services', 'charges', 'charge_history', 'payments', 'payment_parts',
    'document_counters', 'invoices', 'credit_notes', 'credit_note_lines', 'document_prints']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY clinic_isolation ON %I USING (clinic_id = current_clinic_id()) '
                   'WITH CHECK (clinic_id = current_clinic_id())', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON services, charges, document_counters TO doctors_app;
GRANT SELECT, INSERT ON charge_history, payments, payment_parts, invoices, credit_notes, credit_note_lines,
  document_prints TO doctors_app;
GRANT EXECUTE ON FUNCTION billing_cleared(uuid, text) TO doctors_app;
