import { useState } from 'react';
import { rowPatientName } from '../patients/patientsApi.ts';
import { Badge, Button, Grid, Group, Menu, Paper, Stack, Text, Title } from '@mantine/core';
import { IconCash, IconDots, IconLogin2, IconUserPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Appointment } from '../../../common/scheduling.ts';
import type { Visit, VisitStatus } from '../../../common/visits.ts';
import { useCan, useMe } from '../../auth/session.tsx';
import { useErrorMessage } from '../../ui/errors.ts';
import { Empty, LoadError, Loading } from '../../ui/ListState.tsx';
import { notifyError, notifySuccess } from '../../ui/notify.ts';
import { ReasonDialog } from '../../ui/ReasonDialog.tsx';
import { dateIn, formatTime, useNow } from '../../ui/time.ts';
import { useAppointments } from '../appointments/appointmentsApi.ts';
import { PaymentDialog } from '../billing/PaymentDialog.tsx';
import { CheckInDialog } from '../visits/CheckInDialog.tsx';
import { VisitLine } from '../visits/VisitLine.tsx';
import { checkIn, useBoard, visitAction } from '../visits/visitsApi.ts';

const ACTIVE_GROUPS: VisitStatus[] = ['waiting', 'awaiting_payment', 'in_consultation', 'awaiting_results'];
const DONE_GROUPS: VisitStatus[] = ['completed', 'cancelled', 'left_without_being_seen'];
/** Shown even when empty, so the front desk always sees where the queue stands. */
const ALWAYS_SHOWN: VisitStatus[] = ['waiting', 'in_consultation'];

type Exit = { visit: Visit; action: 'cancel' | 'left-without-being-seen' };

function StatusGroup({ status, visits, children }: { status: VisitStatus; visits: Visit[]; children: (visit: Visit) => React.ReactNode }) {
  const { t } = useTranslation();
  const headingId = `board-${status}`;
  return (
    <Paper withBorder radius="md" component="section" aria-labelledby={headingId}>
      <Group px="sm" py="xs" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Title order={2} size="h5" id={headingId}>
          {t(`visits.status.${status}`)}
        </Title>
        <Badge variant="light" color="gray" aria-label={t('board.count', { n: visits.length })}>
          {visits.length}
        </Badge>
      </Group>
      {visits.length === 0 ? (
        <Text size="sm" c="dimmed" px="sm" py="sm">
          {t(`board.emptyGroup.${status}`, { defaultValue: t('board.emptyGroupGeneric') })}
        </Text>
      ) : (
        <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>{visits.map(children)}</ul>
      )}
    </Paper>
  );
}

function TodaysAppointments({ onAwaitingPayment }: { onAwaitingPayment(visit: Visit): void }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const can = useCan();
  const client = useQueryClient();
  const message = useErrorMessage();
  const list = useAppointments({ from: dateIn(me.timeZone), days: 1 });
  const [busy, setBusy] = useState<string | null>(null);

  async function arrive(appointment: Appointment) {
    setBusy(appointment.id);
    try {
      const visit = await checkIn({ appointmentId: appointment.id });
      notifySuccess(t('checkIn.done', { name: rowPatientName(visit, i18n.language), number: visit.queueNumber }));
      void client.invalidateQueries({ queryKey: ['visits'] });
      void client.invalidateQueries({ queryKey: ['appointments'] });
      if (visit.status === 'awaiting_payment' && can('billing.collect')) onAwaitingPayment(visit);
    } catch (error) {
      notifyError(t('checkIn.failed'), message(error));
    } finally {
      setBusy(null);
    }
  }

  const items = (list.data?.items ?? []).filter((a) => a.status === 'booked' || a.status === 'checked_in');
  return (
    <Paper withBorder radius="md" component="section" aria-labelledby="board-appointments">
      <Group px="sm" py="xs" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Title order={2} size="h5" id="board-appointments">
          {t('board.todaysAppointments')}
        </Title>
      </Group>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed" px="sm" py="sm">
          {t('board.noAppointments')}
        </Text>
      ) : (
        <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {items.map((a) => (
            <li key={a.id} className="row-card">
              <Group justify="space-between" px="sm" py="xs" wrap="wrap" gap="xs">
                <Stack gap={0} style={{ minWidth: 0 }}>
                  <Text fw={600}>
                    <span className="mono">{formatTime(a.startsAt, me.timeZone, i18n.language)}</span> · {rowPatientName(a, i18n.language)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {a.doctorName}
                  </Text>
                </Stack>
                {a.status === 'checked_in' ? (
                  <Badge variant="light" color="teal">
                    {t('appointments.status.checked_in')}
                  </Badge>
                ) : (
                  can('visits.checkin') && (
                    <Button
                      size="xs"
                      variant="light"
                      leftSection={<IconLogin2 size={14} aria-hidden />}
                      loading={busy === a.id}
                      onClick={() => void arrive(a)}
                      aria-label={t('board.checkInNamed', { name: rowPatientName(a, i18n.language) })}
                    >
                      {t('board.checkIn')}
                    </Button>
                  )
                )}
              </Group>
            </li>
          ))}
        </ul>
      )}
    </Paper>
  );
}

/** The front desk's live view of today: who waits, for how long, who is in with the doctor. */
export function BoardPage() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const client = useQueryClient();
  const board = useBoard();
  const now = useNow(1000, board.data?.serverTime);
  const [walkIn, setWalkIn] = useState(false);
  const [exit, setExit] = useState<Exit | null>(null);
  const [paying, setPaying] = useState<Visit | null>(null);

  const header = (
    <Group justify="space-between" wrap="wrap">
      <Stack gap={0}>
        <Title order={1} size="h2">
          {t('board.title')}
        </Title>
        {board.data && (
          <Text size="sm" c="dimmed">
            {t('board.thresholdNote', { minutes: board.data.waitThresholdMinutes })}
          </Text>
        )}
      </Stack>
      {can('visits.checkin') && (
        <Button leftSection={<IconUserPlus size={16} aria-hidden />} onClick={() => setWalkIn(true)}>
          {t('board.walkIn')}
        </Button>
      )}
    </Group>
  );

  let content: React.ReactNode;
  if (board.isPending) content = <Loading />;
  else if (board.isError) content = <LoadError error={board.error} onRetry={() => void board.refetch()} />;
  else {
    const { items, waitThresholdMinutes } = board.data;
    const byStatus = (status: VisitStatus) => items.filter((v) => v.status === status);
    const groups = [...ACTIVE_GROUPS, ...DONE_GROUPS].filter((s) => ALWAYS_SHOWN.includes(s) || byStatus(s).length > 0);
    content =
      items.length === 0 ? (
        <Empty title={t('board.empty')} description={t('board.emptyHint')} />
      ) : (
        <Stack gap="md">
          {groups.map((status) => (
            <StatusGroup key={status} status={status} visits={byStatus(status)}>
              {(visit) => (
                <VisitLine key={visit.id} visit={visit} now={now} thresholdMinutes={waitThresholdMinutes}>
                  {visit.status === 'awaiting_payment' && can('billing.collect') && (
                    <Button
                      size="xs"
                      leftSection={<IconCash size={14} aria-hidden />}
                      onClick={() => setPaying(visit)}
                      aria-label={t('billing.takePaymentFrom', { name: rowPatientName(visit, i18n.language) })}
                    >
                      {t('billing.takePayment')}
                    </Button>
                  )}
                  {can('visits.frontdesk_exit') && (visit.status === 'waiting' || visit.status === 'awaiting_payment') && (
                    <Menu position="bottom-end" withinPortal>
                      <Menu.Target>
                        <Button size="xs" variant="default" rightSection={<IconDots size={14} aria-hidden />} aria-label={t('board.actionsFor', { name: rowPatientName(visit, i18n.language) })}>
                          {t('board.actions')}
                        </Button>
                      </Menu.Target>
                      <Menu.Dropdown>
                        <Menu.Item onClick={() => setExit({ visit, action: 'left-without-being-seen' })}>{t('board.leftWithoutBeingSeen')}</Menu.Item>
                        <Menu.Item color="red" onClick={() => setExit({ visit, action: 'cancel' })}>
                          {t('board.cancelVisit')}
                        </Menu.Item>
                      </Menu.Dropdown>
                    </Menu>
                  )}
                </VisitLine>
              )}
            </StatusGroup>
          ))}
        </Stack>
      );
  }

  return (
    <Stack gap="md">
      {header}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>{content}</Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <TodaysAppointments onAwaitingPayment={setPaying} />
        </Grid.Col>
      </Grid>
      <CheckInDialog opened={walkIn} onClose={() => setWalkIn(false)} />
      <PaymentDialog opened={paying !== null} onClose={() => setPaying(null)} patientId={paying?.patientId ?? null} patientName={paying ? rowPatientName(paying, i18n.language) : ''} />
      <ReasonDialog
        opened={exit !== null}
        onClose={() => setExit(null)}
        title={exit?.action === 'cancel' ? t('board.cancelTitle', { name: rowPatientName(exit.visit, i18n.language) }) : t('board.leftTitle', { name: exit ? rowPatientName(exit.visit, i18n.language) : '' })}
        confirmLabel={exit?.action === 'cancel' ? t('board.cancelVisit') : t('board.leftWithoutBeingSeen')}
        reasonRequired={exit?.action === 'cancel'}
        onConfirm={async (reason) => {
          if (!exit) return;
          await visitAction(exit.visit.id, exit.action, reason || undefined);
          void client.invalidateQueries({ queryKey: ['visits'] });
          notifySuccess(exit.action === 'cancel' ? t('board.cancelled') : t('board.markedLeft'));
        }}
      />
    </Stack>
  );
}
