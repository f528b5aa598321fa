import { ActionIcon, Button, Fieldset, Grid, Group, NativeSelect, NumberInput, Stack, Text } from '@mantine/core';
import { TimeInput } from '@mantine/dates';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { CONSULTATION_TYPES, type DoctorSchedule, type ScheduleBlock } from '../../../common/staff.ts';
import { weekdayName } from '../../ui/time.ts';

export const DEFAULT_SCHEDULE: DoctorSchedule = {
  slotMinutes: 15,
  consultationType: 'general',
  blocks: [0, 1, 2, 3, 4].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })),
};

const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** Translation keys of what is wrong with a schedule: overall, and per block by index. */
export function validateSchedule(schedule: DoctorSchedule): { general?: string; slot?: string; blocks: Record<number, string> } {
  const blocks: Record<number, string> = {};
  let slot: string | undefined;
  if (!Number.isInteger(schedule.slotMinutes) || schedule.slotMinutes < 5 || schedule.slotMinutes > 240) slot = 'staff.schedule.slotInvalid';
  schedule.blocks.forEach((block, i) => {
    if (!TIME.test(block.start) || !TIME.test(block.end)) blocks[i] = 'staff.schedule.timeInvalid';
    else if (block.end <= block.start) blocks[i] = 'staff.schedule.endBeforeStart';
  });
  schedule.blocks.forEach((block, i) => {
    if (blocks[i]) return;
    const clash = schedule.blocks.some((other, j) => j !== i && !blocks[j] && other.weekday === block.weekday && other.start < block.end && block.start < other.end);
    if (clash) blocks[i] = 'staff.schedule.overlap';
  });
  const general = schedule.blocks.length > 28 ? 'staff.schedule.tooMany' : undefined;
  return { general, slot, blocks };
}

export function scheduleIsValid(schedule: DoctorSchedule): boolean {
  const problems = validateSchedule(schedule);
  return !problems.general && !problems.slot && Object.keys(problems.blocks).length === 0;
}

/** One line: the days sharing each set of hours, then the slot length. */
export function scheduleSummary(schedule: DoctorSchedule, language: string, labels: { everyDay: string; minutes: (n: number) => string }): string {
  const byHours = new Map<string, number[]>();
  for (const block of [...schedule.blocks].sort((a, b) => a.weekday - b.weekday)) {
    const hours = `${block.start}–${block.end}`;
    byHours.set(hours, [...(byHours.get(hours) ?? []), block.weekday]);
  }
  const comma = language === 'ar' ? '، ' : ', ';
  const parts = [...byHours].map(([hours, days]) => {
    const unique = [...new Set(days)];
    const named = unique.length === 7 ? labels.everyDay : unique.map((d) => weekdayName(d, language, 'short')).join(comma);
    return `${named} ${hours}`;
  });
  return [parts.join(' · '), labels.minutes(schedule.slotMinutes)].filter(Boolean).join(' · ');
}

interface Props {
  value: DoctorSchedule;
  onChange(value: DoctorSchedule): void;
  showErrors: boolean;
}

export function ScheduleEditor({ value, onChange, showErrors }: Props) {
  const { t, i18n } = useTranslation();
  const problems = showErrors ? validateSchedule(value) : { blocks: {} as Record<number, string>, slot: undefined, general: undefined };
  const setBlock = (index: number, change: Partial<ScheduleBlock>) =>
    onChange({ ...value, blocks: value.blocks.map((b, i) => (i === index ? { ...b, ...change } : b)) });
  const weekdays = Array.from({ length: 7 }, (_, d) => ({ value: String(d), label: weekdayName(d, i18n.language) }));

  return (
    <Fieldset legend={t('staff.schedule.title')}>
      <Stack gap="sm">
        <Group grow align="flex-start">
          <NumberInput
            label={t('staff.schedule.slotMinutes')}
            min={5}
            max={240}
            step={5}
            value={value.slotMinutes}
            onChange={(n) => onChange({ ...value, slotMinutes: typeof n === 'number' ? n : Number(n) || 0 })}
            error={problems.slot && t(problems.slot)}
            allowDecimal={false}
          />
          <NativeSelect
            label={t('staff.schedule.consultationType')}
            value={value.consultationType}
            onChange={(e) => onChange({ ...value, consultationType: e.currentTarget.value as DoctorSchedule['consultationType'] })}
            data={CONSULTATION_TYPES.map((c) => ({ value: c, label: t(`staff.consultationTypes.${c}`) }))}
          />
        </Group>
        <Text size="sm" fw={600}>
          {t('staff.schedule.periods')}
        </Text>
        {value.blocks.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('staff.schedule.noPeriods')}
          </Text>
        )}
        <Stack gap="xs" component="ol" p={0} m={0} style={{ listStyle: 'none' }}>
          {value.blocks.map((block, i) => {
            const error = problems.blocks[i];
            return (
              <li key={i}>
                <Grid gap="xs" align="flex-start">
                  <Grid.Col span={{ base: 12, xs: 5 }}>
                    <NativeSelect
                      label={t('staff.schedule.weekday')}
                      aria-label={t('staff.schedule.weekdayOf', { number: i + 1 })}
                      value={String(block.weekday)}
                      onChange={(e) => setBlock(i, { weekday: Number(e.currentTarget.value) })}
                      data={weekdays}
                      size="xs"
                    />
                  </Grid.Col>
                  <Grid.Col span={{ base: 5, xs: 3 }}>
                    <TimeInput
                      label={t('staff.schedule.start')}
                      aria-label={t('staff.schedule.startOf', { number: i + 1 })}
                      value={block.start}
                      onChange={(e) => setBlock(i, { start: e.currentTarget.value })}
                      size="xs"
                      error={Boolean(error)}
                    />
                  </Grid.Col>
                  <Grid.Col span={{ base: 5, xs: 3 }}>
                    <TimeInput
                      label={t('staff.schedule.end')}
                      aria-label={t('staff.schedule.endOf', { number: i + 1 })}
                      value={block.end}
                      onChange={(e) => setBlock(i, { end: e.currentTarget.value })}
                      size="xs"
                      error={Boolean(error)}
                    />
                  </Grid.Col>
                  <Grid.Col span={{ base: 2, xs: 1 }}>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      mt={22}
                      onClick={() => onChange({ ...value, blocks: value.blocks.filter((_, j) => j !== i) })}
                      aria-label={t('staff.schedule.remove', { number: i + 1 })}
                    >
                      <IconTrash size={16} aria-hidden />
                    </ActionIcon>
                  </Grid.Col>
                </Grid>
                {error && (
                  <Text size="xs" c="red" role="alert">
                    {t(error)}
                  </Text>
                )}
              </li>
            );
          })}
        </Stack>
        {problems.general && (
          <Text size="xs" c="red" role="alert">
            {t(problems.general)}
          </Text>
        )}
        <Group>
          <Button
            variant="light"
            size="xs"
            leftSection={<IconPlus size={14} aria-hidden />}
            disabled={value.blocks.length >= 28}
            onClick={() => {
              const last = value.blocks[value.blocks.length - 1];
              onChange({ ...value, blocks: [...value.blocks, { weekday: last ? (last.weekday + 1) % 7 : 0, start: last?.start ?? '09:00', end: last?.end ?? '17:00' }] });
            }}
          >
            {t('staff.schedule.add')}
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}
