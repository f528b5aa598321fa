import { useState, type ReactNode } from 'react';
import { Badge, Group, Loader, Paper, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { PatientSummary } from '../../../common/patients.ts';
import { useMe } from '../../auth/session.tsx';
import { Empty, LoadError, Loading } from '../../ui/ListState.tsx';
import { RouterLink } from '../../ui/router.tsx';
import { dateIn, formatDate } from '../../ui/time.ts';
import { ageOn, patientName, usePatientSearch } from './patientsApi.ts';

export function SearchInput({ value, onChange, busy, label }: { value: string; onChange(value: string): void; busy: boolean; label?: string }) {
  const { t } = useTranslation();
  return (
    <TextInput
      type="search"
      label={label ?? t('patients.search.label')}
      description={t('patients.search.hint')}
      placeholder={t('patients.search.placeholder')}
      leftSection={<IconSearch size={16} aria-hidden />}
      rightSection={busy ? <Loader size="xs" aria-label={t('common.searching')} /> : null}
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      maxLength={100}
      autoComplete="off"
    />
  );
}

function PatientLine({ patient }: { patient: PatientSummary }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const name = patientName(patient, i18n.language);
  const other = name === patient.displayName ? patient.displayNameArabic : patient.displayName;
  return (
    <Stack gap={2} style={{ minWidth: 0 }}>
      <Group gap="xs" wrap="wrap">
        <Text fw={600}>{name}</Text>
        {other && other !== name && (
          <Text size="sm" c="dimmed">
            {other}
          </Text>
        )}
      </Group>
      <Group gap="xs" wrap="wrap">
        <Badge variant="light" color="gray" size="sm" className="mono">
          {patient.mrn}
        </Badge>
        <Text size="sm" c="dimmed">
          {t(`patients.sex.${patient.sex}`)} · {t('patients.age', { years: ageOn(patient.birthDate, dateIn(me.timeZone)) })} · {formatDate(patient.birthDate, i18n.language)}
        </Text>
        <Text size="sm" c="dimmed" dir="ltr" className="mono">
          {patient.phone}
        </Text>
      </Group>
    </Stack>
  );
}

interface ResultsProps {
  text: string;
  /** Each result opens the patient's page, or, when given, calls this instead. */
  onPick?: (patient: PatientSummary) => void;
  pickLabel?: (patient: PatientSummary) => string;
  emptyAction?: ReactNode;
  limit?: number;
}

/** Search results for `text` (recent patients when empty), with loading, failure and empty states. */
export function PatientResults({ text, onPick, pickLabel, emptyAction, limit }: ResultsProps) {
  const { t, i18n } = useTranslation();
  const search = usePatientSearch(text.trim(), limit);
  if (search.isPending) return <Loading label={t('patients.search.loading')} />;
  if (search.isError) return <LoadError error={search.error} onRetry={() => void search.refetch()} />;
  const items = search.data.items;
  if (items.length === 0) {
    return (
      <Empty title={text.trim() ? t('patients.search.noMatch') : t('patients.search.noneYet')} description={text.trim() ? t('patients.search.noMatchHint') : undefined}>
        {emptyAction}
      </Empty>
    );
  }
  return (
    <Paper withBorder radius="md" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label={text.trim() ? t('patients.search.results') : t('patients.search.recent')} aria-busy={search.isFetching}>
      {items.map((patient) => (
        <li key={patient.id} className="row-card">
          {onPick ? (
            <UnstyledButton onClick={() => onPick(patient)} p="sm" w="100%" aria-label={pickLabel?.(patient) ?? patientName(patient, i18n.language)}>
              <PatientLine patient={patient} />
            </UnstyledButton>
          ) : (
            <UnstyledButton component={RouterLink} href={`/patients/${patient.id}`} p="sm" w="100%" display="block">
              <PatientLine patient={patient} />
            </UnstyledButton>
          )}
        </li>
      ))}
    </Paper>
  );
}

/** A search box with its results, for choosing a patient inside another task (booking, check-in, filters). */
export function PatientPicker({ onPick, label }: { onPick(patient: PatientSummary): void; label?: string }) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useDebouncedSearch();
  return (
    <Stack gap="xs">
      <SearchInput value={text.value} onChange={setText} busy={text.value !== text.debounced} label={label} />
      <PatientResults text={text.debounced} onPick={onPick} limit={8} pickLabel={(p) => t('patients.pick', { name: patientName(p, i18n.language), mrn: p.mrn })} />
    </Stack>
  );
}

export function useDebouncedSearch(initial = ''): [{ value: string; debounced: string }, (value: string) => void] {
  const [value, setValue] = useState(initial);
  const [debounced] = useDebouncedValue(value, 300);
  return [{ value, debounced }, setValue];
}
