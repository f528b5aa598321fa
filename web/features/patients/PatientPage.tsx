import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Tabs, Text, Timeline, Title } from '@mantine/core';
import { IconAlertTriangle, IconArrowLeft, IconCalendarPlus, IconEdit, IconHistory, IconLogin2 } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Patient } from '../../../common/patients.ts';
import { isApiError } from '../../api/client.ts';
import { useCan, useMe } from '../../auth/session.tsx';
import { useErrorMessage, useServerFieldErrors } from '../../ui/errors.ts';
import { Empty, LoadError, Loading, FailureAlert } from '../../ui/ListState.tsx';
import { focusFirstInvalid } from '../../ui/focus.ts';
import { notifySuccess } from '../../ui/notify.ts';
import { navigate, RouterLink } from '../../ui/router.tsx';
import { dateIn, formatDate, formatDateTime, formatTime } from '../../ui/time.ts';
import { useAppointments } from '../appointments/appointmentsApi.ts';
import { PatientBilling } from '../billing/PatientBilling.tsx';
import { CheckInDialog } from '../visits/CheckInDialog.tsx';
import { PatientForm } from './PatientForm.tsx';
import { bodyOf, PATIENT_FIELDS, validatePatient, valuesOf, type PatientField, type PatientFormValues } from './patientForm.ts';
import { ageOn, patientNames, updatePatient, usePatient, usePatientHistory } from './patientsApi.ts';

function Detail({ label, value, ltr }: { label: string; value: string | null; ltr?: boolean }) {
  const { t } = useTranslation();
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      {/* bdi keeps a Latin value (or an Arabic one) readable inside text of the other direction. */}
      <Text style={{ whiteSpace: 'pre-wrap' }}>
        {value ? (
          <bdi dir={ltr ? 'ltr' : undefined}>{value}</bdi>
        ) : (
          <Text span c="dimmed">
            {t('common.none')}
          </Text>
        )}
      </Text>
    </Stack>
  );
}

function Demographics({ patient }: { patient: Patient }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  return (
    <Paper withBorder p="md" radius="md">
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="md">
        <Detail label={t('patients.fields.givenNameLatin')} value={patient.givenNameLatin} ltr />
        <Detail label={t('patients.fields.familyNameLatin')} value={patient.familyNameLatin} ltr />
        <Detail label={t('patients.fields.givenNameArabic')} value={patient.givenNameArabic} />
        <Detail label={t('patients.fields.familyNameArabic')} value={patient.familyNameArabic} />
        <Detail label={t('patients.fields.sex')} value={t(`patients.sex.${patient.sex}`)} />
        <Detail
          label={t('patients.fields.birthDate')}
          value={`${formatDate(patient.birthDate, i18n.language)} (${t('patients.age', { years: ageOn(patient.birthDate, dateIn(me.timeZone)) })})`}
        />
        <Detail label={t('patients.fields.phone')} value={patient.phone} ltr />
        <Detail label={t('patients.fields.nationalId')} value={patient.nationalId} ltr />
        <Detail label={t('patients.fields.address')} value={patient.address} />
        <Detail label={t('patients.fields.emergencyContactName')} value={patient.emergencyContactName} />
        <Detail label={t('patients.fields.emergencyContactPhone')} value={patient.emergencyContactPhone} ltr />
        <Detail label={t('patients.fields.frontDeskNotes')} value={patient.frontDeskNotes} />
      </SimpleGrid>
      <Text size="xs" c="dimmed" mt="md">
        {t('patients.lastChanged', { when: formatDateTime(patient.updatedAt, me.timeZone, i18n.language), version: patient.version })}
      </Text>
    </Paper>
  );
}

function EditPatient({ patient, onDone }: { patient: Patient; onDone(): void }) {
  const { t } = useTranslation();
  const me = useMe();
  const client = useQueryClient();
  const message = useErrorMessage();
  const serverFields = useServerFieldErrors();
  const today = dateIn(me.timeZone);
  const [base, setBase] = useState(patient);
  const [values, setValues] = useState<PatientFormValues>(() => valuesOf(patient));
  const [errors, setErrors] = useState<Partial<Record<PatientField, string>>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    const problems = validatePatient(values, today);
    setErrors(Object.fromEntries(Object.entries(problems).map(([field, key]) => [field, t(key)])));
    if (Object.keys(problems).length > 0) {
      setFailure(t('validation.fixFields'));
      return focusFirstInvalid();
    }
    setBusy(true);
    try {
      const saved = await updatePatient(patient.id, { ...bodyOf(values), version: base.version });
      client.setQueryData(['patients', 'detail', patient.id], saved);
      void client.invalidateQueries({ queryKey: ['patients', 'history', patient.id] });
      void client.invalidateQueries({ queryKey: ['patients', 'search'] });
      notifySuccess(t('patients.saved'));
      onDone();
    } catch (error) {
      if (isApiError(error) && error.code === 'stale_version') {
        // Someone saved first: show their version and let the person redo the change on top of it.
        const fresh = await client.fetchQuery({ queryKey: ['patients', 'detail', patient.id], staleTime: 0 }).catch(() => null);
        if (fresh) {
          setBase(fresh as Patient);
          setValues(valuesOf(fresh as Patient));
        }
        setStale(true);
      } else {
        const fields = serverFields(error);
        setErrors(fields);
        setFailure(Object.keys(fields).length > 0 ? t('validation.fixFields') : message(error));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label={t('patients.editTitle')}>
      <Stack gap="md">
        {stale && (
          <Alert color="yellow" icon={<IconAlertTriangle size={18} aria-hidden />} role="alert" title={t('patients.staleTitle')}>
            {t('patients.stale')}
          </Alert>
        )}
        <PatientForm
          values={values}
          errors={errors}
          today={today}
          onChange={(field, value) => {
            setValues((v) => ({ ...v, [field]: value }));
            setErrors((e) => ({ ...e, [field]: undefined }));
          }}
        />
        <FailureAlert message={failure} />
        <Group>
          <Button type="submit" loading={busy}>
            {t('patients.saveChanges')}
          </Button>
          <Button variant="default" onClick={onDone} disabled={busy}>
            {t('common.cancel')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function History({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const history = usePatientHistory(id, true);
  if (history.isPending) return <Loading />;
  if (history.isError) return <LoadError error={history.error} onRetry={() => void history.refetch()} />;
  if (history.data.items.length === 0) return <Empty title={t('patients.history.empty')} />;
  return (
    <Timeline bulletSize={18} lineWidth={2} active={history.data.items.length} aria-label={t('patients.history.title')}>
      {history.data.items.map((version) => (
        <Timeline.Item
          key={version.version}
          title={version.version === 1 ? t('patients.history.registered') : t('patients.history.changed', { version: version.version })}
        >
          <Text size="sm" c="dimmed">
            {t('patients.history.byWhen', { who: version.changedBy, when: formatDateTime(version.changedAt, me.timeZone, i18n.language) })}
          </Text>
          <Stack gap={2} mt={4} component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
            {version.changedFields.map((field) => (
              <Text component="li" size="sm" key={field}>
                <Text span fw={600}>
                  {PATIENT_FIELDS.includes(field as PatientField) ? t(`patients.fields.${field}`) : field}
                </Text>
                {': '}
                {field === 'sex' && version.data[field] ? t(`patients.sex.${version.data[field]}`) : version.data[field] ?? t('patients.history.cleared')}
              </Text>
            ))}
          </Stack>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

function PatientAppointments({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const list = useAppointments({ from: dateIn(me.timeZone), days: 31, patientId: id });
  if (list.isPending) return <Loading />;
  if (list.isError) return <LoadError error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data.items.length === 0) return <Empty title={t('patients.appointments.empty')} />;
  return (
    <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
      {list.data.items.map((a) => (
        <Paper component="li" withBorder p="sm" key={a.id}>
          <Group justify="space-between" wrap="wrap">
            <Text>
              {formatDate(dateIn(me.timeZone, a.startsAt), i18n.language, true)}{' '}
              {formatTime(a.startsAt, me.timeZone, i18n.language)} · {a.doctorName}
            </Text>
            <Badge variant="light">{t(`appointments.status.${a.status}`)}</Badge>
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}

export function PatientPage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const patient = usePatient(id);
  const [editing, setEditing] = useState(false);
  const [checkingIn, setCheckingIn] = useState(false);
  const [tab, setTab] = useState<string | null>('details');

  const back = (
    <Anchor component={RouterLink} href="/patients" size="sm">
      <Group gap={4}>
        <IconArrowLeft size={14} className="flip-rtl" aria-hidden />
        {t('patients.backToList')}
      </Group>
    </Anchor>
  );
  if (patient.isPending) return <Loading />;
  if (patient.isError) {
    return (
      <Stack>
        {back}
        {isApiError(patient.error) && patient.error.code === 'not_found' ? <Empty title={t('patients.notFound')} /> : <LoadError error={patient.error} onRetry={() => void patient.refetch()} />}
      </Stack>
    );
  }
  const p = patient.data;
  const names = patientNames(p, i18n.language);

  return (
    <Stack gap="md">
      {back}
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Stack gap={2}>
          <Title order={1} size="h2">
            {names.main}
          </Title>
          {names.other && <Text c="dimmed">{names.other}</Text>}
          <Group gap="xs">
            <Badge variant="light" color="gray" className="mono" aria-label={t('patients.mrnLabel', { mrn: p.mrn })}>
              {p.mrn}
            </Badge>
          </Group>
        </Stack>
        <Group gap="xs">
          {can('visits.checkin') && (
            <Button leftSection={<IconLogin2 size={16} aria-hidden />} onClick={() => setCheckingIn(true)}>
              {t('patients.checkIn')}
            </Button>
          )}
          {can('appointments.write') && (
            <Button variant="light" leftSection={<IconCalendarPlus size={16} aria-hidden />} onClick={() => navigate(`/appointments?patient=${p.id}`)}>
              {t('patients.bookAppointment')}
            </Button>
          )}
          {can('audit.read') && (
            <Button variant="default" component={RouterLink} href={`/audit?patient=${p.id}`} leftSection={<IconHistory size={16} aria-hidden />}>
              {t('patients.auditTrail')}
            </Button>
          )}
          {can('patients.write') && !editing && (
            <Button
              variant="default"
              leftSection={<IconEdit size={16} aria-hidden />}
              onClick={() => {
                setTab('details');
                setEditing(true);
              }}
            >
              {t('patients.edit')}
            </Button>
          )}
        </Group>
      </Group>
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="details">{t('patients.tabs.details')}</Tabs.Tab>
          {can('patients.history') && <Tabs.Tab value="history">{t('patients.tabs.history')}</Tabs.Tab>}
          {can('appointments.read') && <Tabs.Tab value="appointments">{t('patients.tabs.appointments')}</Tabs.Tab>}
          {can('billing.read') && <Tabs.Tab value="billing">{t('patients.tabs.billing')}</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="details" pt="md">
          {editing ? <EditPatient patient={p} onDone={() => setEditing(false)} /> : <Demographics patient={p} />}
        </Tabs.Panel>
        {can('patients.history') && (
          <Tabs.Panel value="history" pt="md">
            <History id={p.id} />
          </Tabs.Panel>
        )}
        {can('appointments.read') && (
          <Tabs.Panel value="appointments" pt="md">
            <PatientAppointments id={p.id} />
          </Tabs.Panel>
        )}
        {can('billing.read') && (
          <Tabs.Panel value="billing" pt="md">
            <PatientBilling patientId={p.id} />
          </Tabs.Panel>
        )}
      </Tabs>
      <CheckInDialog opened={checkingIn} onClose={() => setCheckingIn(false)} patient={{ id: p.id, name: names.main, mrn: p.mrn }} />
    </Stack>
  );
}
