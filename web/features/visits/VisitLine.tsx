import type { ReactNode } from 'react';
import { rowPatientName } from '../patients/patientsApi.ts';
import { Anchor, Badge, Box, Group, Stack, Text, VisuallyHidden } from '@mantine/core';
import { IconClock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { Visit } from '../../../common/visits.ts';
import { useCan } from '../../auth/session.tsx';
import { RouterLink } from '../../ui/router.tsx';
import { elapsed } from '../../ui/time.ts';
import { STATUS_COLORS } from './visitsApi.ts';

/** Since when the visit's current wait (or consultation) has been running. */
export function clockStart(visit: Visit): string {
  return visit.status === 'waiting' || visit.status === 'awaiting_payment' ? visit.checkedInAt : visit.statusChangedAt;
}

export function isOverThreshold(visit: Visit, now: number, thresholdMinutes: number): boolean {
  return (visit.status === 'waiting' || visit.status === 'awaiting_payment') && elapsed(visit.checkedInAt, now).minutes >= thresholdMinutes;
}

interface Props {
  visit: Visit;
  now: number;
  thresholdMinutes: number;
  showDoctor?: boolean;
  showStatus?: boolean;
  children?: ReactNode;
}

/** One visit on the board or a queue: its number, patient, doctor and a live clock, plus actions. */
export function VisitLine({ visit, now, thresholdMinutes, showDoctor = true, showStatus = false, children }: Props) {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const terminal = visit.status === 'completed' || visit.status === 'cancelled' || visit.status === 'left_without_being_seen';
  const over = isOverThreshold(visit, now, thresholdMinutes);
  const clock = elapsed(clockStart(visit), now);
  const clockLabel = visit.status === 'in_consultation' ? t('visits.inConsultationFor', { time: clock.text }) : t('visits.waitingFor', { time: clock.text });

  return (
    <Box component="li" className={`row-card visit-row${over ? ' over-threshold' : ''}`} px="sm" py="xs" aria-label={t('visits.rowLabel', { number: visit.queueNumber, name: rowPatientName(visit, i18n.language) })}>
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
          <Text fw={800} size="xl" className="mono" miw={44} ta="center" aria-label={t('visits.queueNumber', { number: visit.queueNumber })}>
            {visit.queueNumber}
          </Text>
          <Stack gap={0} style={{ minWidth: 0 }}>
            {can('patients.read') ? (
              <Anchor component={RouterLink} href={`/patients/${visit.patientId}`} fw={600} c="inherit">
                {rowPatientName(visit, i18n.language)}
              </Anchor>
            ) : (
              <Text fw={600}>{rowPatientName(visit, i18n.language)}</Text>
            )}
            <Text size="xs" c="dimmed">
              <span className="mono">{visit.patientMrn}</span>
              {showDoctor && ` · ${visit.doctorName ?? t('visits.anyDoctor')}`}
            </Text>
          </Stack>
        </Group>
        <Group gap="xs" wrap="wrap">
          {showStatus && (
            <Badge color={STATUS_COLORS[visit.status]} variant="light">
              {t(`visits.status.${visit.status}`)}
            </Badge>
          )}
          {!terminal && (
            <Badge
              color={over ? 'red' : 'gray'}
              variant={over ? 'filled' : 'light'}
              leftSection={<IconClock size={12} aria-hidden />}
              className="mono"
              title={over ? t('visits.overThreshold', { minutes: thresholdMinutes }) : undefined}
            >
              {clockLabel}
            </Badge>
          )}
          {over && <VisuallyHidden>{t('visits.overThreshold', { minutes: thresholdMinutes })}</VisuallyHidden>}
          {children}
        </Group>
      </Group>
    </Box>
  );
}
