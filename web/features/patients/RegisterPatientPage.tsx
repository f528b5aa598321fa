import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconUsers } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { PatientInput } from '../../../common/patients.ts';
import { isApiError } from '../../api/client.ts';
import { useMe } from '../../auth/session.tsx';
import { useErrorMessage, useServerFieldErrors } from '../../ui/errors.ts';
import { focusFirstInvalid } from '../../ui/focus.ts';
import { notifySuccess } from '../../ui/notify.ts';
import { navigate, RouterLink } from '../../ui/router.tsx';
import { dateIn, formatDate } from '../../ui/time.ts';
import { PatientForm } from './PatientForm.tsx';
import { bodyOf, EMPTY_PATIENT, validatePatient, type PatientField, type PatientFormValues } from './patientForm.ts';
import { findDuplicates, patientName, registerPatient, type DuplicateCandidate } from './patientsApi.ts';
import { FailureAlert } from '../../ui/ListState.tsx';

interface Duplicates {
  candidates: DuplicateCandidate[];
  /** The national id is already someone's: registering anyway is not possible. */
  blocking: boolean;
  message?: string;
}

function DuplicatesPanel({ duplicates, busy, onRegisterAnyway, onBack }: { duplicates: Duplicates; busy: boolean; onRegisterAnyway(): void; onBack(): void }) {
  const { t, i18n } = useTranslation();
  return (
    <Alert color="orange" icon={<IconUsers size={18} aria-hidden />} title={t('patients.duplicates.title')} role="alert">
      <Stack gap="sm">
        <Text size="sm">{duplicates.blocking ? duplicates.message ?? t('patients.duplicates.blocking') : t('patients.duplicates.intro')}</Text>
        <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('patients.duplicates.list')}>
          {duplicates.candidates.map(({ patient, reasons }) => (
            <Paper key={patient.id} component="li" withBorder p="sm" radius="sm">
              <Group justify="space-between" wrap="wrap" gap="xs">
                <Stack gap={2}>
                  <Text fw={600}>{patientName(patient, i18n.language)}</Text>
                  <Text size="sm" c="dimmed">
                    {patient.mrn} · {formatDate(patient.birthDate, i18n.language)} ·{' '}
                    <span dir="ltr" className="mono">
                      {patient.phone}
                    </span>
                  </Text>
                  <Group gap={4}>
                    {reasons.map((reason) => (
                      <Badge key={reason} size="sm" color="orange" variant="light">
                        {t(`patients.duplicates.reasons.${reason}`, { defaultValue: reason })}
                      </Badge>
                    ))}
                  </Group>
                </Stack>
                <Button
                  component={RouterLink}
                  href={`/patients/${patient.id}`}
                  variant="light"
                  size="xs"
                  aria-label={t('patients.duplicates.openNamed', { name: patientName(patient, i18n.language) })}
                >
                  {t('patients.duplicates.open')}
                </Button>
              </Group>
            </Paper>
          ))}
        </Stack>
        <Group gap="sm">
          {!duplicates.blocking && (
            <Button color="orange" onClick={onRegisterAnyway} loading={busy}>
              {t('patients.duplicates.registerAnyway')}
            </Button>
          )}
          <Button variant="default" onClick={onBack} disabled={busy}>
            {t('patients.duplicates.back')}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

export function RegisterPatientPage() {
  const { t } = useTranslation();
  const me = useMe();
  const client = useQueryClient();
  const message = useErrorMessage();
  const serverFields = useServerFieldErrors();
  const today = dateIn(me.timeZone);
  const [values, setValues] = useState<PatientFormValues>(EMPTY_PATIENT);
  const [errors, setErrors] = useState<Partial<Record<PatientField, string>>>({});
  const [duplicates, setDuplicates] = useState<Duplicates | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function change(field: PatientField, value: string) {
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
    setDuplicates(null);
  }

  function fail(error: unknown) {
    if (isApiError(error) && error.code === 'possible_duplicate') {
      const details = error.details as { candidates?: DuplicateCandidate[]; blocking?: boolean } | undefined;
      setDuplicates({ candidates: details?.candidates ?? [], blocking: Boolean(details?.blocking), message: message(error) });
      return;
    }
    const fields = serverFields(error);
    setErrors(fields);
    setFailure(Object.keys(fields).length > 0 ? t('validation.fixFields') : message(error));
    if (Object.keys(fields).length > 0) focusFirstInvalid();
  }

  async function save(body: PatientInput) {
    const patient = await registerPatient(body);
    void client.invalidateQueries({ queryKey: ['patients', 'search'] });
    client.setQueryData(['patients', 'detail', patient.id], patient);
    notifySuccess(t('patients.registered', { mrn: patient.mrn }));
    navigate(`/patients/${patient.id}`);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    const problems = validatePatient(values, today);
    setErrors(Object.fromEntries(Object.entries(problems).map(([field, key]) => [field, t(key)])));
    if (Object.keys(problems).length > 0) {
      setFailure(t('validation.fixFields'));
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      const body = bodyOf(values);
      const found = await findDuplicates(body);
      if (found.items.length > 0) {
        setDuplicates({ candidates: found.items, blocking: found.items.some((c) => c.reasons.includes('national_id')) });
        return;
      }
      await save(body);
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  async function registerAnyway() {
    setBusy(true);
    try {
      await save({ ...bodyOf(values), acknowledgeDuplicates: true });
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="md" maw={900}>
      <Anchor component={RouterLink} href="/patients" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} className="flip-rtl" aria-hidden />
          {t('patients.backToList')}
        </Group>
      </Anchor>
      <Title order={1} size="h2">
        {t('patients.registerTitle')}
      </Title>
      <form onSubmit={submit} noValidate aria-label={t('patients.registerTitle')}>
        <Stack gap="md">
          <PatientForm values={values} errors={errors} onChange={change} today={today} />
          <FailureAlert message={failure} />
          {duplicates ? (
            <DuplicatesPanel duplicates={duplicates} busy={busy} onRegisterAnyway={() => void registerAnyway()} onBack={() => setDuplicates(null)} />
          ) : (
            <Group>
              <Button type="submit" loading={busy}>
                {t('patients.registerSubmit')}
              </Button>
              <Button variant="default" component={RouterLink} href="/patients">
                {t('common.cancel')}
              </Button>
            </Group>
          )}
        </Stack>
      </form>
    </Stack>
  );
}
