import { useState } from 'react';
import { Anchor, Badge, Button, Group, Input, Modal, NativeSelect, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconX } from '@tabler/icons-react';
import { useMediaQuery } from '@mantine/hooks';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '../../../common/audit.ts';
import { api, query } from '../../api/client.ts';
import { useMe } from '../../auth/session.tsx';
import { Empty, LoadError, Loading } from '../../ui/ListState.tsx';
import { RouterLink, setParams, useLocation } from '../../ui/router.tsx';
import { formatDateTime, isRealDate } from '../../ui/time.ts';
import { PatientPicker } from '../patients/PatientSearch.tsx';
import { patientNames, usePatient } from '../patients/patientsApi.ts';
import { useStaff } from '../staff/staffApi.ts';

/** Filter choices: whole areas match by prefix on the server, single actions exactly. */
const ACTION_FILTERS = [
  'patient.',
  'patient.create',
  'patient.read',
  'patient.update',
  'patient.search',
  'patient.history',
  'appointment.',
  'visit.',
  'auth.',
  'auth.login_failed',
  'staff.',
  'clinic.',
];

const OUTCOME_COLORS: Record<AuditEntry['outcome'], string> = { success: 'teal', refused: 'orange', denied: 'red' };

function useAuditPages(filters: Record<string, string | undefined>) {
  return useInfiniteQuery({
    queryKey: ['audit', filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => api<{ items: AuditEntry[]; nextBefore: string | null }>('GET', `/api/audit${query({ ...filters, before: pageParam, limit: 50 })}`),
    getNextPageParam: (page) => page.nextBefore,
  });
}

function PatientFilter({ id, onChange }: { id: string | null; onChange(id: string | null): void }) {
  const { t, i18n } = useTranslation();
  const [choosing, setChoosing] = useState(false);
  const patient = usePatient(id);
  return (
    <Input.Wrapper label={t('audit.patient')} id="audit-patient" labelElement="div">
      {id ? (
        <Group gap="xs" wrap="nowrap">
          <Badge size="lg" variant="light" style={{ textTransform: 'none' }} maw={220}>
            {patient.data ? patientNames(patient.data, i18n.language).main : '…'}
          </Badge>
          <Button size="compact-xs" variant="subtle" onClick={() => onChange(null)} leftSection={<IconX size={12} aria-hidden />} aria-label={t('audit.clearPatient')}>
            {t('common.clear')}
          </Button>
        </Group>
      ) : (
        <Button variant="default" fullWidth onClick={() => setChoosing(true)} aria-label={`${t('audit.patient')}: ${t('audit.choosePatient')}`}>
          {t('audit.choosePatient')}
        </Button>
      )}
      <Modal opened={choosing} onClose={() => setChoosing(false)} title={t('audit.choosePatient')} size="lg">
        <PatientPicker
          onPick={(p) => {
            onChange(p.id);
            setChoosing(false);
          }}
        />
      </Modal>
    </Input.Wrapper>
  );
}

function useRecordCell() {
  const { t } = useTranslation();
  return (entry: AuditEntry) =>
    entry.patientId ? (
      <Anchor component={RouterLink} href={`/patients/${entry.patientId}`} size="sm">
        {t('audit.openPatient')}
      </Anchor>
    ) : entry.entityType ? (
      <Text size="sm">{t(`audit.entities.${entry.entityType}`, { defaultValue: entry.entityType })}</Text>
    ) : (
      <Text size="sm" c="dimmed">
        {t('common.none')}
      </Text>
    );
}

function useActionLabel() {
  const { t } = useTranslation();
  return (action: string) => t(`audit.actions.${action.replace(/\.$/, '._all')}`, { defaultValue: action });
}

function AuditTable({ items }: { items: AuditEntry[] }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const record = useRecordCell();
  const actionLabel = useActionLabel();
  return (
    <Paper withBorder radius="md">
      <Table striped highlightOnHover aria-label={t('audit.tableLabel')} verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('audit.when')}</Table.Th>
            <Table.Th>{t('audit.person')}</Table.Th>
            <Table.Th>{t('audit.action')}</Table.Th>
            <Table.Th>{t('audit.record')}</Table.Th>
            <Table.Th>{t('audit.outcome')}</Table.Th>
            <Table.Th>{t('audit.address')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((entry) => (
            <Table.Tr key={entry.id}>
              <Table.Td className="mono" style={{ whiteSpace: 'nowrap' }}>
                {formatDateTime(entry.at, me.timeZone, i18n.language, true)}
              </Table.Td>
              <Table.Td>{entry.actorName ?? t('audit.unknownPerson')}</Table.Td>
              <Table.Td>
                <Text size="sm">{actionLabel(entry.action)}</Text>
                <Text size="xs" c="dimmed">
                  <bdi dir="ltr">{entry.action}</bdi>
                </Text>
              </Table.Td>
              <Table.Td>{record(entry)}</Table.Td>
              <Table.Td>
                <Badge size="sm" variant="light" color={OUTCOME_COLORS[entry.outcome]}>
                  {t(`audit.outcomes.${entry.outcome}`)}
                </Badge>
              </Table.Td>
              <Table.Td className="mono">
                <Text size="xs">
                  <bdi dir="ltr">{entry.ip ?? ''}</bdi>
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

/** The same entries as cards, for screens too narrow for six columns. */
function AuditCards({ items }: { items: AuditEntry[] }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const record = useRecordCell();
  const actionLabel = useActionLabel();
  return (
    <Paper withBorder radius="md" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('audit.tableLabel')}>
      {items.map((entry) => (
        <li key={entry.id} className="row-card">
          <Stack gap={2} px="sm" py="xs">
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Text size="sm" fw={600}>
                {actionLabel(entry.action)}
              </Text>
              <Badge size="sm" variant="light" color={OUTCOME_COLORS[entry.outcome]} style={{ flexShrink: 0 }}>
                {t(`audit.outcomes.${entry.outcome}`)}
              </Badge>
            </Group>
            <Text size="xs" c="dimmed">
              <span className="mono">{formatDateTime(entry.at, me.timeZone, i18n.language, true)}</span> · {entry.actorName ?? t('audit.unknownPerson')}
              {entry.ip && (
                <>
                  {' · '}
                  <bdi dir="ltr">{entry.ip}</bdi>
                </>
              )}
            </Text>
            {record(entry)}
          </Stack>
        </li>
      ))}
    </Paper>
  );
}

/** The clinic's audit trail: who did what to which record, when, and whether it was allowed. */
export function AuditPage() {
  const { t } = useTranslation();
  const { params } = useLocation();
  const staff = useStaff();
  const date = (key: string) => {
    const value = params.get(key);
    return value && isRealDate(value) ? value : undefined;
  };
  const filters = {
    actorId: params.get('person') ?? undefined,
    patientId: params.get('patient') ?? undefined,
    action: params.get('action') ?? undefined,
    from: date('from'),
    to: date('to'),
  };
  const pages = useAuditPages(filters);
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const actionLabel = useActionLabel();
  const wide = useMediaQuery('(min-width: 62em)', undefined, { getInitialValueInEffect: false });

  let content: React.ReactNode;
  if (pages.isPending) content = <Loading />;
  else if (pages.isError) content = <LoadError error={pages.error} onRetry={() => void pages.refetch()} />;
  else if (items.length === 0) content = <Empty title={t('audit.empty')} description={t('audit.emptyHint')} />;
  else {
    content = (
      <Stack gap="sm">
        {wide ? <AuditTable items={items} /> : <AuditCards items={items} />}
        <Group justify="center">
          {pages.hasNextPage ? (
            <Button variant="default" onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>
              {t('audit.loadMore')}
            </Button>
          ) : (
            <Text size="sm" c="dimmed">
              {t('audit.end')}
            </Text>
          )}
        </Group>
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('audit.title')}
      </Title>
      <Paper withBorder radius="md" p="sm" component="form" aria-label={t('audit.filters')} onSubmit={(e) => e.preventDefault()}>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }} spacing="sm">
          <NativeSelect
            label={t('audit.person')}
            value={filters.actorId ?? ''}
            onChange={(e) => setParams({ person: e.currentTarget.value || null })}
            data={[{ value: '', label: t('audit.everyone') }, ...(staff.data?.items ?? []).map((s) => ({ value: s.id, label: s.displayName }))]}
          />
          <PatientFilter id={filters.patientId ?? null} onChange={(id) => setParams({ patient: id })} />
          <NativeSelect
            label={t('audit.action')}
            value={filters.action ?? ''}
            onChange={(e) => setParams({ action: e.currentTarget.value || null })}
            data={[{ value: '', label: t('audit.allActions') }, ...ACTION_FILTERS.map((a) => ({ value: a, label: actionLabel(a) }))]}
          />
          <TextInput type="date" label={t('audit.from')} value={filters.from ?? ''} max={filters.to} onChange={(e) => setParams({ from: e.currentTarget.value || null })} />
          <TextInput type="date" label={t('audit.to')} value={filters.to ?? ''} min={filters.from} onChange={(e) => setParams({ to: e.currentTarget.value || null })} />
        </SimpleGrid>
      </Paper>
      {content}
    </Stack>
  );
}
