import type { ColumnType, Generated } from 'kysely';

/** Row types of the tables, as the application role sees them. Timestamps come back as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in when the insert leaves it out. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateOnly = string;

export interface ClinicsTable {
  id: string;
  name: string;
  time_zone: string;
  currency: string;
  default_language: string;
  wait_threshold_minutes: Generated<number>;
  mrn_counter: Generated<string>;
  created_at: DefaultTimestamp;
}

export interface UsersTable {
  id: string;
  clinic_id: string;
  username: string;
  display_name: string;
  role: 'admin' | 'secretary' | 'doctor' | 'lab';
  password_hash: string;
  language: Generated<'en' | 'ar'>;
  active: Generated<boolean>;
  grants: ColumnType<string[], string[] | undefined, string[]>;
  created_at: DefaultTimestamp;
  created_by: string | null;
  version: Generated<number>;
}

export interface DoctorProfilesTable {
  user_id: string;
  clinic_id: string;
  consultation_type: string;
  slot_minutes: number;
}

export interface DoctorScheduleBlocksTable {
  id: Generated<string>;
  clinic_id: string;
  doctor_id: string;
  weekday: number;
  start_time: string;
  end_time: string;
}

export interface SessionsTable {
  id: string;
  clinic_id: string;
  user_id: string;
  token_hash: Buffer;
  created_at: DefaultTimestamp;
  last_seen_at: DefaultTimestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginFailuresTable {
  key: string;
  at: DefaultTimestamp;
}

export interface PatientsTable {
  id: string;
  clinic_id: string;
  mrn: string;
  given_name_latin: string | null;
  family_name_latin: string | null;
  given_name_arabic: string | null;
  family_name_arabic: string | null;
  sex: string;
  birth_date: DateOnly;
  phone: string;
  phone_digits: string;
  national_id: string | null;
  address: string | null;
  emergency_contact_name: string | null;
  emergency_contact_phone: string | null;
  front_desk_notes: string | null;
  search_name: string;
  version: Generated<number>;
  created_at: DefaultTimestamp;
  created_by: string;
  updated_at: DefaultTimestamp;
  updated_by: string;
}

export interface PatientVersionsTable {
  id: Generated<string>;
  clinic_id: string;
  patient_id: string;
  version: number;
  data: ColumnType<Record<string, string | null>, string, string>;
  changed_fields: string[];
  changed_at: DefaultTimestamp;
  changed_by: string;
}

export interface AppointmentsTable {
  id: string;
  clinic_id: string;
  doctor_id: string;
  patient_id: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  status: Generated<'booked' | 'checked_in' | 'cancelled' | 'no_show'>;
  reason: string | null;
  cancel_reason: string | null;
  version: Generated<number>;
  created_at: DefaultTimestamp;
  created_by: string;
}

export interface AppointmentHistoryTable {
  id: Generated<string>;
  clinic_id: string;
  appointment_id: string;
  from_status: string | null;
  to_status: string;
  starts_at: Timestamp;
  at: DefaultTimestamp;
  by_user: string;
  reason: string | null;
}

export interface VisitsTable {
  id: string;
  clinic_id: string;
  patient_id: string;
  doctor_id: string | null;
  appointment_id: string | null;
  clinic_day: DateOnly;
  queue_number: number;
  status: string;
  checked_in_at: DefaultTimestamp;
  status_changed_at: DefaultTimestamp;
  version: Generated<number>;
  created_by: string;
}

export interface VisitHistoryTable {
  id: Generated<string>;
  clinic_id: string;
  visit_id: string;
  from_status: string | null;
  to_status: string;
  at: DefaultTimestamp;
  by_user: string;
  reason: string | null;
}

export interface DailyCountersTable {
  clinic_id: string;
  clinic_day: DateOnly;
  kind: string;
  value: number;
}

export interface AuditLogTable {
  id: Generated<string>;
  clinic_id: string;
  at: DefaultTimestamp;
  actor_id: string | null;
  session_id: string | null;
  ip: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  patient_id: string | null;
  outcome: string;
  details: ColumnType<Record<string, unknown> | null, string | null, never>;
}

export interface OutboxTable {
  id: Generated<string>;
  clinic_id: string;
  xid: Generated<string>;
  type: string;
  entity_id: string;
  created_at: DefaultTimestamp;
}

/** bigint money columns: pg returns int8 as a string; the application writes numbers. */
type Int8 = ColumnType<string, number | string, number | string>;

export interface ServicesTable {
  id: string;
  clinic_id: string;
  code: string;
  name_en: string;
  name_ar: string;
  kind: string;
  consultation_type: string | null;
  price_minor: Int8;
  tax_rate_bp: number;
  active: boolean;
  version: Generated<number>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface ChargesTable {
  id: string;
  clinic_id: string;
  patient_id: string;
  visit_id: string | null;
  service_id: string;
  kind: string;
  code: string;
  name_en: string;
  name_ar: string;
  amount_minor: Int8;
  tax_rate_bp: number;
  tax_minor: Int8;
  status: string;
  deferred: Generated<boolean>;
  note: string | null;
  payment_id: string | null;
  refunded_minor: ColumnType<string, number | string | undefined, number | string>;
  created_at: DefaultTimestamp;
  created_by: string;
  status_changed_at: DefaultTimestamp;
  version: Generated<number>;
}

export interface ChargeHistoryTable {
  id: Generated<string>;
  clinic_id: string;
  charge_id: string;
  from_status: string | null;
  to_status: string;
  at: DefaultTimestamp;
  by_user: string;
  reason: string | null;
}

export interface PaymentsTable {
  id: string;
  clinic_id: string;
  patient_id: string;
  idempotency_key: string;
  request_hash: string;
  total_minor: Int8;
  received_by: string;
  received_at: DefaultTimestamp;
}

export interface PaymentPartsTable {
  id: Generated<string>;
  clinic_id: string;
  payment_id: string;
  method: string;
  amount_minor: Int8;
  tendered_minor: ColumnType<string | null, number | null, number | null>;
  reference: string | null;
}

export interface DocumentCountersTable {
  clinic_id: string;
  series: string;
  year: number;
  last_value: number;
}

export interface InvoicesTable {
  id: string;
  clinic_id: string;
  year: number;
  seq: number;
  number: string;
  payment_id: string;
  patient_id: string;
  currency: string;
  subtotal_minor: Int8;
  tax_minor: Int8;
  total_minor: Int8;
  snapshot: ColumnType<unknown, string, never>;
  issued_at: DefaultTimestamp;
  issued_by: string;
}

export interface CreditNotesTable {
  id: string;
  clinic_id: string;
  year: number;
  seq: number;
  number: string;
  invoice_id: string;
  patient_id: string;
  idempotency_key: string;
  request_hash: string;
  method: string;
  total_minor: Int8;
  reason: string;
  snapshot: ColumnType<unknown, string, never>;
  issued_at: DefaultTimestamp;
  issued_by: string;
}

export interface CreditNoteLinesTable {
  id: Generated<string>;
  clinic_id: string;
  credit_note_id: string;
  charge_id: string;
  amount_minor: Int8;
}

export interface DocumentPrintsTable {
  id: Generated<string>;
  clinic_id: string;
  document_id: string;
  language: string;
  printed_at: DefaultTimestamp;
  printed_by: string;
}

export interface Database {
  clinics: ClinicsTable;
  users: UsersTable;
  doctor_profiles: DoctorProfilesTable;
  doctor_schedule_blocks: DoctorScheduleBlocksTable;
  sessions: SessionsTable;
  login_failures: LoginFailuresTable;
  patients: PatientsTable;
  patient_versions: PatientVersionsTable;
  appointments: AppointmentsTable;
  appointment_history: AppointmentHistoryTable;
  visits: VisitsTable;
  visit_history: VisitHistoryTable;
  daily_counters: DailyCountersTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  services: ServicesTable;
  charges: ChargesTable;
  charge_history: ChargeHistoryTable;
  payments: PaymentsTable;
  payment_parts: PaymentPartsTable;
  document_counters: DocumentCountersTable;
  invoices: InvoicesTable;
  credit_notes: CreditNotesTable;
  credit_note_lines: CreditNoteLinesTable;
  document_prints: DocumentPrintsTable;
}
