import { useState } from 'react';
import { rowPatientName } from '../patients/patientsApi.ts';
import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconPlayerPlay, IconStethoscope } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Visit } from '../../../common/visits.ts';
import { useMe } from '../../auth/session.tsx';
import { useErrorMessage } from '../../ui/errors.ts';
import { Empty, LoadError, Loading } from '../../ui/ListState.tsx';
import { notifySuccess } from '../../ui/notify.ts';
import { useNow } from '../../ui/time.ts';
import { VisitLine } from '../visits/VisitLine.tsx';
import { callNext, useMyQueue, visitAction } from '../visits/visitsApi.ts';

/** The doctor's day: who is waiting, in order, and the patient currently in the room. */
export function QueuePage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const client = useQueryClient();
  const message = useErrorMessage();
  const queue = useMyQueue();
  const now = useNow(1000, queue.data?.serverTime);
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function run(key: string, action: () => Promise<Visit>, done: (visit: Visit) => string) {
    setBusy(key);
    setFailure(null);
    try {
      const visit = await action();
      notifySuccess(done(visit));
    } catch (error) {
      setFailure(message(error));
    } finally {
      setBusy(null);
      void client.invalidateQueries({ queryKey: ['visits'] });
    }
  }

  let content: React.ReactNode;
  if (queue.isPending) content = <Loading />;
  else if (queue.isError) content = <LoadError error={queue.error} onRetry={() => void queue.refetch()} />;
  else {
    const { items, waitThresholdMinutes } = queue.data;
    const current = items.find((v) => v.status === 'in_consultation' && v.doctorId === me.userId);
    const waiting = items.filter((v) => v.status !== 'in_consultation');
    content = (
      <Stack gap="md">
        <Paper withBorder radius="md" p="md" component="section" aria-labelledby="queue-current" bg={current ? 'teal.0' : undefined}>
          <Title order={2} size="h5" id="queue-current" mb="xs">
            {t('queue.current')}
          </Title>
          {current ? (
            <Group justify="space-between" wrap="wrap" gap="sm">
              <Stack gap={0}>
                <Text fw={700} size="lg">
                  {rowPatientName(current, i18n.language)}
                </Text>
                <Text size="sm" c="dimmed">
                  <span className="mono">{current.patientMrn}</span> · {t('queue.numberShort', { number: current.queueNumber })}
                </Text>
              </Stack>
              <Button
                color="teal"
                leftSection={<IconCheck size={16} aria-hidden />}
                loading={busy === `complete-${current.id}`}
                onClick={() => void run(`complete-${current.id}`, () => visitAction(current.id, 'complete'), (v) => t('queue.finished', { name: rowPatientName(v, i18n.language) }))}
              >
                {t('queue.finish')}
              </Button>
            </Group>
          ) : (
            <Text size="sm" c="dimmed">
              {t('queue.nobodyInRoom')}
            </Text>
          )}
        </Paper>
        <Paper withBorder radius="md" component="section" aria-labelledby="queue-waiting">
          <Group px="sm" py="xs" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
            <Title order={2} size="h5" id="queue-waiting">
              {t('queue.waiting', { n: waiting.length })}
            </Title>
          </Group>
          {waiting.length === 0 ? (
            <Empty title={t('queue.empty')} description={t('queue.emptyHint')} />
          ) : (
            <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {waiting.map((visit) => (
                <VisitLine key={visit.id} visit={visit} now={now} thresholdMinutes={waitThresholdMinutes} showStatus={visit.status !== 'waiting'}>
                  {visit.status === 'awaiting_payment' && (
                    <Button size="xs" variant="light" color="yellow" disabled leftSection={<IconStethoscope size={14} aria-hidden />} aria-label={t('queue.awaitingPaymentNamed', { name: rowPatientName(visit, i18n.language) })}>
                      {t('queue.awaitingPaymentCall')}
                    </Button>
                  )}
                  {visit.status === 'waiting' && (
                    <Button
                      size="xs"
                      variant="light"
                      leftSection={<IconStethoscope size={14} aria-hidden />}
                      loading={busy === `call-${visit.id}`}
                      onClick={() => void run(`call-${visit.id}`, () => visitAction(visit.id, 'call'), (v) => t('queue.called', { name: rowPatientName(v, i18n.language) }))}
                      aria-label={t('queue.callInNamed', { name: rowPatientName(visit, i18n.language) })}
                    >
                      {t('queue.callIn')}
                    </Button>
                  )}
                </VisitLine>
              ))}
            </ul>
          )}
        </Paper>
      </Stack>
    );
  }

  const anyWaiting = queue.data?.items.some((v) => v.status === 'waiting') ?? false;
  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={1} size="h2">
          {t('queue.title')}
        </Title>
        <Button
          leftSection={<IconPlayerPlay size={16} className="flip-rtl" aria-hidden />}
          disabled={!anyWaiting}
          loading={busy === 'next'}
          onClick={() => void run('next', callNext, (v) => t('queue.called', { name: rowPatientName(v, i18n.language) }))}
        >
          {t('queue.callNext')}
        </Button>
      </Group>
      {failure && (
        <Alert color="red" icon={<IconAlertTriangle size={18} aria-hidden />} role="alert" withCloseButton onClose={() => setFailure(null)} closeButtonLabel={t('common.close')}>
          {failure}
        </Alert>
      )}
      {content}
    </Stack>
  );
}
