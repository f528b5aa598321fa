import { useState } from 'react';
import { rowPatientName } from '../patients/patientsApi.ts';
import { Button, Group, Modal, NativeSelect, Paper, Radio, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Visit } from '../../../common/visits.ts';
import { useCan, useMe } from '../../auth/session.tsx';
import { PaymentDialog } from '../billing/PaymentDialog.tsx';
import { useErrorMessage } from '../../ui/errors.ts';
import { notifySuccess } from '../../ui/notify.ts';
import { dateIn, formatTime } from '../../ui/time.ts';
import { useAppointments } from '../appointments/appointmentsApi.ts';
import { PatientPicker } from '../patients/PatientSearch.tsx';
import { useDoctors } from '../staff/staffApi.ts';
import { checkIn } from './visitsApi.ts';
import { FailureAlert } from '../../ui/ListState.tsx';

export interface CheckInPatient {
  id: string;
  name: string;
  mrn: string;
}

const WALK_IN = 'walk-in';

function CheckInForm({ patient, onChangePatient, onDone }: { patient: CheckInPatient; onChangePatient?: () => void; onDone(visit: Visit): void }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const client = useQueryClient();
  const message = useErrorMessage();
  const { doctors } = useDoctors();
  const today = dateIn(me.timeZone);
  const appointments = useAppointments({ from: today, days: 1, patientId: patient.id });
  const booked = (appointments.data?.items ?? []).filter((a) => a.status === 'booked');
  const [choice, setChoice] = useState<string | null>(null);
  const [doctorId, setDoctorId] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const selected = choice ?? booked[0]?.id ?? WALK_IN;

  async function submit() {
    setBusy(true);
    setFailure(null);
    try {
      const visit = await checkIn(selected === WALK_IN ? { patientId: patient.id, ...(doctorId && { doctorId }) } : { appointmentId: selected });
      void client.invalidateQueries({ queryKey: ['visits'] });
      void client.invalidateQueries({ queryKey: ['appointments'] });
      notifySuccess(t('checkIn.done', { name: rowPatientName(visit, i18n.language), number: visit.queueNumber }));
      onDone(visit);
    } catch (error) {
      setFailure(message(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="md">
      <Paper withBorder p="sm" radius="sm">
        <Group justify="space-between" wrap="nowrap">
          <Stack gap={0}>
            <Text fw={600}>{patient.name}</Text>
            <Text size="sm" c="dimmed" className="mono">
              {patient.mrn}
            </Text>
          </Stack>
          {onChangePatient && (
            <Button variant="subtle" size="xs" onClick={onChangePatient}>
              {t('checkIn.changePatient')}
            </Button>
          )}
        </Group>
      </Paper>
      {booked.length > 0 && (
        <Radio.Group label={t('checkIn.arrivingFor')} value={selected} onChange={setChoice}>
          <Stack gap="xs" mt="xs">
            {booked.map((a) => (
              <Radio
                key={a.id}
                value={a.id}
                label={t('checkIn.appointmentOption', { time: formatTime(a.startsAt, me.timeZone, i18n.language), doctor: a.doctorName })}
              />
            ))}
            <Radio value={WALK_IN} label={t('checkIn.walkIn')} />
          </Stack>
        </Radio.Group>
      )}
      {selected === WALK_IN && (
        <NativeSelect
          label={t('checkIn.doctor')}
          description={t('checkIn.doctorHint')}
          value={doctorId}
          onChange={(e) => setDoctorId(e.currentTarget.value)}
          data={[{ value: '', label: t('checkIn.anyDoctor') }, ...doctors.map((d) => ({ value: d.id, label: d.displayName }))]}
        />
      )}
      <FailureAlert message={failure} />
      <Group justify="flex-end">
        <Button onClick={() => void submit()} loading={busy}>
          {t('checkIn.submit')}
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * Checks a patient in, for one of today's appointments or as a walk-in; finds the patient first if
 * needed. When the visit owes its consultation fee, the payment opens next, for whoever takes payments.
 */
export function CheckInDialog({ opened, onClose, patient }: { opened: boolean; onClose(): void; patient?: CheckInPatient }) {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const [picked, setPicked] = useState<CheckInPatient | null>(null);
  const [paying, setPaying] = useState<Visit | null>(null);
  const current = patient ?? picked;

  function close() {
    setPicked(null);
    onClose();
  }

  function done(visit: Visit) {
    close();
    if (visit.status === 'awaiting_payment' && can('billing.collect')) setPaying(visit);
  }

  return (
    <>
      <Modal opened={opened} onClose={close} title={t('checkIn.title')} size="lg">
        {current ? (
          <CheckInForm key={current.id} patient={current} onChangePatient={patient ? undefined : () => setPicked(null)} onDone={done} />
        ) : (
          <PatientPicker
            label={t('checkIn.findPatient')}
            onPick={(p) => setPicked({ id: p.id, name: i18n.language === 'ar' && p.displayNameArabic ? p.displayNameArabic : p.displayName, mrn: p.mrn })}
          />
        )}
      </Modal>
      <PaymentDialog opened={paying !== null} onClose={() => setPaying(null)} patientId={paying?.patientId ?? null} patientName={paying ? rowPatientName(paying, i18n.language) : ''} />
    </>
  );
}
