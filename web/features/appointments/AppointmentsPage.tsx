import { useEffect, useState } from 'react';
import { ActionIcon, Alert, Anchor, Badge, Button, Group, Menu, NativeSelect, Paper, SegmentedControl, SimpleGrid, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { IconChevronLeft, IconChevronRight, IconDots, IconUserCheck } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Appointment } from '../../../common/scheduling.ts';
import { useCan, useMe } from '../../auth/session.tsx';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { useErrorMessage } from '../../ui/errors.ts';
import { Empty, LoadError, Loading } from '../../ui/ListState.tsx';
import { notifyError, notifySuccess } from '../../ui/notify.ts';
import { ReasonDialog } from '../../ui/ReasonDialog.tsx';
import { RouterLink, setParams, useLocation } from '../../ui/router.tsx';
import { addDays, dateIn, formatDate, formatDay, formatTime, isRealDate, weekStart } from '../../ui/time.ts';
import { patientNames, usePatient, rowPatientName } from '../patients/patientsApi.ts';
import { useDoctors } from '../staff/staffApi.ts';
import { checkIn } from '../visits/visitsApi.ts';
import { BookDialog, RescheduleDialog, type BookingPatient } from './AppointmentDialogs.tsx';
import { cancelAppointment, markNoShow, useAppointments, useSlots, type Slot } from './appointmentsApi.ts';

const ACTIVE = new Set(['booked', 'checked_in']);
const STATUS_COLORS: Record<Appointment['status'], string> = { booked: 'blue', checked_in: 'teal', cancelled: 'red', no_show: 'orange' };

type Row = { at: string; slot: Slot | null; appointment: Appointment | null };

/** Merges the doctor's slots with the day's appointments: a booked slot shows who is booked. */
function rowsOf(slots: Slot[], appointments: Appointment[]): Row[] {
  const active = appointments.filter((a) => ACTIVE.has(a.status));
  const rows: Row[] = slots.map((slot) => ({
    at: slot.startsAt,
    slot,
    appointment: active.find((a) => new Date(a.startsAt).getTime() === new Date(slot.startsAt).getTime()) ?? null,
  }));
  // Appointments that no longer sit on a slot (the schedule changed) still show, at their own time.
  for (const a of active) {
    if (!rows.some((r) => r.appointment?.id === a.id)) rows.push({ at: a.startsAt, slot: null, appointment: a });
  }
  return rows.sort((x, y) => new Date(x.at).getTime() - new Date(y.at).getTime());
}

interface Actions {
  reschedule(a: Appointment): void;
  cancel(a: Appointment): void;
  noShow(a: Appointment): void;
  arrive(a: Appointment): void;
}

function AppointmentActions({ appointment, actions, today }: { appointment: Appointment; actions: Actions; today: string }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const can = useCan();
  if (appointment.status !== 'booked' || !can('appointments.write')) return null;
  const started = new Date(appointment.startsAt).getTime() <= Date.now();
  const isToday = dateIn(me.timeZone, appointment.startsAt) === today;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="default" size="lg" aria-label={t('appointments.actionsFor', { name: rowPatientName(appointment, i18n.language) })}>
          <IconDots size={16} aria-hidden />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {isToday && can('visits.checkin') && <Menu.Item onClick={() => actions.arrive(appointment)}>{t('board.checkIn')}</Menu.Item>}
        <Menu.Item onClick={() => actions.reschedule(appointment)}>{t('appointments.reschedule')}</Menu.Item>
        {started && <Menu.Item onClick={() => actions.noShow(appointment)}>{t('appointments.noShow')}</Menu.Item>}
        <Menu.Item color="red" onClick={() => actions.cancel(appointment)}>
          {t('appointments.cancel')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function DayView({ doctorId, date, onBook, actions }: { doctorId: string; date: string; onBook(slot: Slot): void; actions: Actions }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const can = useCan();
  const slots = useSlots(doctorId, date);
  const list = useAppointments({ from: date, days: 1, doctorId });
  if (slots.isPending || list.isPending) return <Loading />;
  if (slots.isError) return <LoadError error={slots.error} onRetry={() => void slots.refetch()} />;
  if (list.isError) return <LoadError error={list.error} onRetry={() => void list.refetch()} />;
  const rows = rowsOf(slots.data.items, list.data.items);
  const closed = list.data.items.filter((a) => !ACTIVE.has(a.status));
  const today = dateIn(me.timeZone);
  const soon = Date.now() - 5 * 60_000;

  return (
    <Stack gap="md">
      {rows.length === 0 ? (
        <Empty title={t('appointments.noSlots')} description={t('appointments.noSlotsHint')} />
      ) : (
        <Paper withBorder radius="md" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('appointments.daySchedule', { date: formatDate(date, i18n.language, true) })}>
          {rows.map((row) => {
            const time = formatTime(row.at, me.timeZone, i18n.language);
            const a = row.appointment;
            const bookable = row.slot?.free && new Date(row.at).getTime() >= soon && can('appointments.write');
            return (
              <li key={`${row.at}-${a?.id ?? 'slot'}`} className={`row-card ${a || !row.slot?.free ? 'slot-taken' : 'slot-free'}`}>
                <Group px="sm" py={6} justify="space-between" wrap="nowrap" gap="sm">
                  <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
                    <Text fw={700} className="mono" miw={48}>
                      {time}
                    </Text>
                    {a ? (
                      <Stack gap={0} style={{ minWidth: 0 }}>
                        <Anchor component={RouterLink} href={`/patients/${a.patientId}`} fw={600} c="inherit" truncate>
                          {rowPatientName(a, i18n.language)}
                        </Anchor>
                        <Text size="xs" c="dimmed" truncate>
                          <span className="mono">{a.patientMrn}</span>
                          {a.reason && ` · ${a.reason}`}
                        </Text>
                      </Stack>
                    ) : (
                      <Text size="sm" c={row.slot?.free ? 'teal.8' : 'dimmed'}>
                        {row.slot?.free ? t('appointments.free') : t('appointments.taken')}
                      </Text>
                    )}
                  </Group>
                  <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
                    {a && (
                      <Badge color={STATUS_COLORS[a.status]} variant="light">
                        {t(`appointments.status.${a.status}`)}
                      </Badge>
                    )}
                    {a && <AppointmentActions appointment={a} actions={actions} today={today} />}
                    {!a && bookable && row.slot && (
                      <Button size="xs" variant="light" onClick={() => onBook(row.slot!)} aria-label={t('appointments.bookAt', { time })}>
                        {t('appointments.book')}
                      </Button>
                    )}
                  </Group>
                </Group>
              </li>
            );
          })}
        </Paper>
      )}
      {closed.length > 0 && (
        <Paper withBorder radius="md" p="sm" component="section" aria-labelledby="closed-appointments">
          <Title order={2} size="h6" id="closed-appointments" mb="xs">
            {t('appointments.closed')}
          </Title>
          <Stack gap={4} component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
            {closed.map((a) => (
              <Text component="li" size="sm" key={a.id}>
                <span className="mono">{formatTime(a.startsAt, me.timeZone, i18n.language)}</span> · {rowPatientName(a, i18n.language)} ·{' '}
                <Badge size="xs" color={STATUS_COLORS[a.status]} variant="light">
                  {t(`appointments.status.${a.status}`)}
                </Badge>
                {a.cancelReason && ` · ${a.cancelReason}`}
              </Text>
            ))}
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}

function WeekView({ doctorId, date, onOpenDay }: { doctorId: string; date: string; onOpenDay(date: string): void }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const start = weekStart(date);
  const list = useAppointments({ from: start, days: 7, doctorId });
  if (list.isPending) return <Loading />;
  if (list.isError) return <LoadError error={list.error} onRetry={() => void list.refetch()} />;
  const days = Array.from({ length: 7 }, (_, i) => addDays(start, i));
  const today = dateIn(me.timeZone);
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 4, xl: 7 }} spacing="sm">
      {days.map((day) => {
        const items = list.data.items.filter((a) => dateIn(me.timeZone, a.startsAt) === day);
        return (
          <Paper key={day} withBorder radius="md" p="xs" component="section" aria-label={formatDate(day, i18n.language, true)} bg={day === today ? 'teal.0' : undefined}>
            <UnstyledButton onClick={() => onOpenDay(day)} w="100%" aria-label={t('appointments.openDay', { date: formatDate(day, i18n.language, true) })}>
              <Group justify="space-between" mb={4}>
                <Text fw={700} size="sm">
                  {formatDay(day, i18n.language)}
                </Text>
                <Badge size="sm" variant="light" color="gray">
                  {items.filter((a) => ACTIVE.has(a.status)).length}
                </Badge>
              </Group>
            </UnstyledButton>
            {items.length === 0 ? (
              <Text size="xs" c="dimmed">
                {t('appointments.noneThisDay')}
              </Text>
            ) : (
              <Stack gap={2} component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
                {items.map((a) => (
                  <Text component="li" size="xs" key={a.id} td={ACTIVE.has(a.status) ? undefined : 'line-through'} c={ACTIVE.has(a.status) ? undefined : 'dimmed'} truncate>
                    <span className="mono">{formatTime(a.startsAt, me.timeZone, i18n.language)}</span> {rowPatientName(a, i18n.language)}
                  </Text>
                ))}
              </Stack>
            )}
          </Paper>
        );
      })}
    </SimpleGrid>
  );
}

function BookingFor({ patient, onClear }: { patient: BookingPatient; onClear(): void }) {
  const { t } = useTranslation();
  return (
    <Alert color="teal" icon={<IconUserCheck size={18} aria-hidden />} role="status">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Text size="sm">{t('appointments.bookingFor', { name: patient.name, mrn: patient.mrn })}</Text>
        <Button size="xs" variant="subtle" onClick={onClear}>
          {t('appointments.bookingForClear')}
        </Button>
      </Group>
    </Alert>
  );
}

/** Each doctor's calendar: a day of slots to book into, or the week at a glance. */
export function AppointmentsPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const client = useQueryClient();
  const message = useErrorMessage();
  const { params } = useLocation();
  const { doctors, isPending: doctorsLoading, isError: doctorsFailed, error: doctorsError } = useDoctors();
  const today = dateIn(me.timeZone);
  const rawDate = params.get('date') ?? today;
  const date = isRealDate(rawDate) ? rawDate : today;
  const view = params.get('view') === 'week' ? 'week' : 'day';
  const patientId = params.get('patient');
  const doctorId = params.get('doctor') ?? (me.role === 'doctor' ? me.userId : doctors[0]?.id ?? null);
  const doctor = doctors.find((d) => d.id === doctorId) ?? null;
  const [booking, setBooking] = useState<Slot | null>(null);
  const [moving, setMoving] = useState<Appointment | null>(null);
  const [cancelling, setCancelling] = useState<Appointment | null>(null);
  const [noShow, setNoShow] = useState<Appointment | null>(null);
  const { data: bookingPatient } = usePatientForBooking(patientId);

  useEffect(() => {
    if (!params.get('doctor') && doctorId) setParams({ doctor: doctorId });
  }, [params, doctorId]);

  const shift = (days: number) => setParams({ date: addDays(date, days) });
  const step = view === 'week' ? 7 : 1;

  const actions: Actions = {
    reschedule: setMoving,
    cancel: setCancelling,
    noShow: setNoShow,
    async arrive(a) {
      try {
        const visit = await checkIn({ appointmentId: a.id });
        notifySuccess(t('checkIn.done', { name: rowPatientName(visit, i18n.language), number: visit.queueNumber }));
        void client.invalidateQueries({ queryKey: ['appointments'] });
        void client.invalidateQueries({ queryKey: ['visits'] });
      } catch (error) {
        notifyError(t('checkIn.failed'), message(error));
      }
    },
  };

  let body: React.ReactNode;
  if (doctorsLoading) body = <Loading />;
  else if (doctorsFailed) body = <LoadError error={doctorsError} />;
  else if (!doctorId || (!doctor && me.role !== 'doctor')) body = <Empty title={t('appointments.noDoctors')} description={t('appointments.noDoctorsHint')} />;
  else if (view === 'week') body = <WeekView doctorId={doctorId} date={date} onOpenDay={(day) => setParams({ date: day, view: null })} />;
  else body = <DayView doctorId={doctorId} date={date} onBook={setBooking} actions={actions} />;

  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('appointments.title')}
      </Title>
      {bookingPatient && <BookingFor patient={bookingPatient} onClear={() => setParams({ patient: null })} />}
      <Group align="flex-end" wrap="wrap" gap="sm">
        <NativeSelect
          label={t('appointments.doctor')}
          value={doctorId ?? ''}
          onChange={(e) => setParams({ doctor: e.currentTarget.value })}
          data={doctors.map((d) => ({ value: d.id, label: d.displayName }))}
          miw={200}
          disabled={doctors.length === 0}
        />
        <TextInput type="date" label={t('appointments.date')} value={date} onChange={(e) => isRealDate(e.currentTarget.value) && setParams({ date: e.currentTarget.value })} />
        <Group gap={4} wrap="nowrap">
          <ActionIcon variant="default" size="lg" onClick={() => shift(-step)} aria-label={view === 'week' ? t('appointments.previousWeek') : t('appointments.previousDay')}>
            <IconChevronLeft size={16} className="flip-rtl" aria-hidden />
          </ActionIcon>
          <Button variant="default" onClick={() => setParams({ date: today })} disabled={date === today}>
            {t('appointments.today')}
          </Button>
          <ActionIcon variant="default" size="lg" onClick={() => shift(step)} aria-label={view === 'week' ? t('appointments.nextWeek') : t('appointments.nextDay')}>
            <IconChevronRight size={16} className="flip-rtl" aria-hidden />
          </ActionIcon>
        </Group>
        <SegmentedControl
          aria-label={t('appointments.view')}
          value={view}
          onChange={(value) => setParams({ view: value === 'week' ? 'week' : null })}
          data={[
            { value: 'day', label: t('appointments.dayView') },
            { value: 'week', label: t('appointments.weekView') },
          ]}
        />
      </Group>
      <Text fw={600}>
        {view === 'week'
          ? t('appointments.weekOf', { start: formatDate(weekStart(date), i18n.language), end: formatDate(addDays(weekStart(date), 6), i18n.language) })
          : formatDate(date, i18n.language, true)}
      </Text>
      {body}
      <BookDialog
        opened={booking !== null}
        onClose={() => setBooking(null)}
        doctor={doctor ? { id: doctor.id, name: doctor.displayName } : null}
        slot={booking}
        patient={bookingPatient}
      />
      <RescheduleDialog appointment={moving} onClose={() => setMoving(null)} />
      <ReasonDialog
        opened={cancelling !== null}
        onClose={() => setCancelling(null)}
        title={t('appointments.cancelTitle', { name: (cancelling ? rowPatientName(cancelling, i18n.language) : '') })}
        confirmLabel={t('appointments.cancel')}
        reasonRequired
        onConfirm={async (reason) => {
          if (!cancelling) return;
          await cancelAppointment(cancelling.id, { reason, version: cancelling.version });
          void client.invalidateQueries({ queryKey: ['appointments'] });
          void client.invalidateQueries({ queryKey: ['slots'] });
          notifySuccess(t('appointments.cancelled'));
        }}
      />
      <ConfirmDialog
        opened={noShow !== null}
        onClose={() => setNoShow(null)}
        title={t('appointments.noShowTitle')}
        message={t('appointments.noShowQuestion', { name: (noShow ? rowPatientName(noShow, i18n.language) : ''), time: noShow ? formatTime(noShow.startsAt, me.timeZone, i18n.language) : '' })}
        confirmLabel={t('appointments.noShow')}
        color="orange"
        onConfirm={async () => {
          if (!noShow) return;
          await markNoShow(noShow.id, { version: noShow.version });
          void client.invalidateQueries({ queryKey: ['appointments'] });
          void client.invalidateQueries({ queryKey: ['slots'] });
          notifySuccess(t('appointments.markedNoShow'));
        }}
      />
    </Stack>
  );
}

function usePatientForBooking(id: string | null): { data: BookingPatient | null } {
  const { i18n } = useTranslation();
  const patient = usePatient(id);
  if (!id || !patient.data) return { data: null };
  return { data: { id: patient.data.id, mrn: patient.data.mrn, name: patientNames(patient.data, i18n.language).main } };
}
