import { useState } from 'react';
import { rowPatientName } from '../patients/patientsApi.ts';
import { Alert, Button, Group, Modal, Paper, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconCalendarX } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Appointment } from '../../../common/scheduling.ts';
import { isApiError } from '../../api/client.ts';
import { useMe } from '../../auth/session.tsx';
import { useErrorMessage } from '../../ui/errors.ts';
import { Empty, LoadError, Loading } from '../../ui/ListState.tsx';
import { notifySuccess } from '../../ui/notify.ts';
import { dateIn, formatDate, formatTime, isRealDate } from '../../ui/time.ts';
import { PatientPicker } from '../patients/PatientSearch.tsx';
import { book, reschedule, useSlots, type Slot } from './appointmentsApi.ts';

export interface BookingPatient {
  id: string;
  name: string;
  mrn: string;
}

type Problem = { kind: 'refused'; message: string } | { kind: 'patient_conflict'; message: string };

/** Turns a refusal into what the dialog shows: a patient clash is a question, anything else a reason. */
function useProblem() {
  const message = useErrorMessage();
  return (error: unknown): Problem =>
    isApiError(error) && error.code === 'patient_conflict' ? { kind: 'patient_conflict', message: message(error) } : { kind: 'refused', message: message(error) };
}

function ProblemAlert({ problem, onConfirm, busy, confirmLabel }: { problem: Problem; onConfirm(): void; busy: boolean; confirmLabel: string }) {
  const { t } = useTranslation();
  if (problem.kind === 'refused') {
    return (
      <Alert color="red" icon={<IconCalendarX size={18} aria-hidden />} role="alert" title={t('appointments.refused')}>
        {problem.message}
      </Alert>
    );
  }
  return (
    <Alert color="orange" icon={<IconAlertTriangle size={18} aria-hidden />} role="alert" title={t('appointments.patientConflictTitle')}>
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{problem.message}</Text>
        <Text size="sm">{t('appointments.patientConflictQuestion')}</Text>
        <Button color="orange" size="xs" onClick={onConfirm} loading={busy}>
          {confirmLabel}
        </Button>
      </Stack>
    </Alert>
  );
}

interface BookProps {
  opened: boolean;
  onClose(): void;
  doctor: { id: string; name: string } | null;
  slot: Slot | null;
  patient?: BookingPatient | null;
}

/** Books a patient into a chosen free slot; finds the patient first unless one was given. */
export function BookDialog({ opened, onClose, doctor, slot, patient }: BookProps) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const client = useQueryClient();
  const toProblem = useProblem();
  const [picked, setPicked] = useState<BookingPatient | null>(null);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const who = patient ?? picked;

  function close() {
    setPicked(null);
    setReason('');
    setProblem(null);
    onClose();
  }

  async function submit(acknowledgePatientConflict: boolean) {
    if (!who || !doctor || !slot) return;
    setBusy(true);
    try {
      const made = await book({
        doctorId: doctor.id,
        patientId: who.id,
        startsAt: slot.startsAt,
        ...(reason.trim() && { reason: reason.trim() }),
        ...(acknowledgePatientConflict && { acknowledgePatientConflict: true }),
      });
      void client.invalidateQueries({ queryKey: ['appointments'] });
      void client.invalidateQueries({ queryKey: ['slots'] });
      notifySuccess(t('appointments.booked', { name: rowPatientName(made, i18n.language), time: formatTime(made.startsAt, me.timeZone, i18n.language) }));
      close();
    } catch (error) {
      setProblem(toProblem(error));
      if (isApiError(error) && error.code === 'appointment_overlap') void client.invalidateQueries({ queryKey: ['slots'] });
    } finally {
      setBusy(false);
    }
  }

  const when = slot ? `${formatDate(dateIn(me.timeZone, slot.startsAt), i18n.language, true)} · ${formatTime(slot.startsAt, me.timeZone, i18n.language)}` : '';
  return (
    <Modal opened={opened} onClose={close} title={t('appointments.bookTitle')} size="lg">
      <Stack gap="md">
        <Paper withBorder p="sm" radius="sm">
          <Text fw={600}>{when}</Text>
          <Text size="sm" c="dimmed">
            {doctor?.name}
          </Text>
        </Paper>
        {who ? (
          <Paper withBorder p="sm" radius="sm">
            <Group justify="space-between" wrap="nowrap">
              <Stack gap={0}>
                <Text fw={600}>{who.name}</Text>
                <Text size="sm" c="dimmed" className="mono">
                  {who.mrn}
                </Text>
              </Stack>
              {!patient && (
                <Button variant="subtle" size="xs" onClick={() => setPicked(null)}>
                  {t('checkIn.changePatient')}
                </Button>
              )}
            </Group>
          </Paper>
        ) : (
          <PatientPicker
            label={t('appointments.findPatient')}
            onPick={(p) => setPicked({ id: p.id, name: i18n.language === 'ar' && p.displayNameArabic ? p.displayNameArabic : p.displayName, mrn: p.mrn })}
          />
        )}
        <Textarea label={t('appointments.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={300} autosize minRows={2} />
        {problem && <ProblemAlert problem={problem} busy={busy} onConfirm={() => void submit(true)} confirmLabel={t('appointments.bookAnyway')} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={close} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button onClick={() => void submit(false)} loading={busy} disabled={!who || problem?.kind === 'patient_conflict'}>
            {t('appointments.bookSubmit')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Moves a booked appointment to another free slot of the same doctor. */
export function RescheduleDialog({ appointment, onClose }: { appointment: Appointment | null; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const client = useQueryClient();
  const toProblem = useProblem();
  const [date, setDate] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Slot | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const day = date ?? (appointment ? dateIn(me.timeZone, appointment.startsAt) : dateIn(me.timeZone));
  const slots = useSlots(appointment?.doctorId ?? null, isRealDate(day) ? day : dateIn(me.timeZone));
  const soon = Date.now() - 5 * 60_000;
  const free = (slots.data?.items ?? []).filter((s) => s.free && new Date(s.startsAt).getTime() >= soon);

  function close() {
    setDate(null);
    setChosen(null);
    setProblem(null);
    onClose();
  }

  async function submit(acknowledgePatientConflict: boolean) {
    if (!appointment || !chosen) return;
    setBusy(true);
    try {
      const moved = await reschedule(appointment.id, {
        startsAt: chosen.startsAt,
        version: appointment.version,
        ...(acknowledgePatientConflict && { acknowledgePatientConflict: true }),
      });
      void client.invalidateQueries({ queryKey: ['appointments'] });
      void client.invalidateQueries({ queryKey: ['slots'] });
      notifySuccess(t('appointments.rescheduled', { name: rowPatientName(moved, i18n.language), time: formatTime(moved.startsAt, me.timeZone, i18n.language) }));
      close();
    } catch (error) {
      setProblem(toProblem(error));
      void client.invalidateQueries({ queryKey: ['slots'] });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={appointment !== null} onClose={close} title={t('appointments.rescheduleTitle', { name: (appointment ? rowPatientName(appointment, i18n.language) : '') })} size="lg">
      <Stack gap="md">
        <TextInput
          type="date"
          label={t('appointments.newDate')}
          value={day}
          min={dateIn(me.timeZone)}
          onChange={(e) => {
            setDate(e.currentTarget.value);
            setChosen(null);
            setProblem(null);
          }}
        />
        {slots.isPending ? (
          <Loading />
        ) : slots.isError ? (
          <LoadError error={slots.error} />
        ) : free.length === 0 ? (
          <Empty title={t('appointments.noFreeSlots')} />
        ) : (
          <SimpleGrid cols={{ base: 3, sm: 5 }} spacing="xs" role="group" aria-label={t('appointments.freeSlots')}>
            {free.map((slot) => (
              <Button
                key={slot.startsAt}
                size="xs"
                variant={chosen?.startsAt === slot.startsAt ? 'filled' : 'light'}
                aria-pressed={chosen?.startsAt === slot.startsAt}
                onClick={() => {
                  setChosen(slot);
                  setProblem(null);
                }}
                className="mono"
              >
                {formatTime(slot.startsAt, me.timeZone, i18n.language)}
              </Button>
            ))}
          </SimpleGrid>
        )}
        {problem && <ProblemAlert problem={problem} busy={busy} onConfirm={() => void submit(true)} confirmLabel={t('appointments.moveAnyway')} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={close} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button onClick={() => void submit(false)} loading={busy} disabled={!chosen || problem?.kind === 'patient_conflict'}>
            {chosen ? t('appointments.moveTo', { time: formatTime(chosen.startsAt, me.timeZone, i18n.language) }) : t('appointments.chooseSlot')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
