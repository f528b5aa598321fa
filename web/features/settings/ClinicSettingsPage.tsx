import { useMemo, useState, type FormEvent } from 'react';
import { Button, Group, NativeSelect, NumberInput, Paper, Select, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../common/auth.ts';
import type { ClinicSettings } from '../../../common/clinic.ts';
import type { LanguageCode } from '../../../common/schema.ts';
import { api } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { timeZoneOptions } from '../../auth/SetupPage.tsx';
import { useErrorMessage, useServerFieldErrors } from '../../ui/errors.ts';
import { LANGUAGE_NAMES } from '../../ui/LanguageSwitch.tsx';
import { LoadError, Loading, FailureAlert } from '../../ui/ListState.tsx';
import { notifySuccess } from '../../ui/notify.ts';

type Field = 'name' | 'timeZone' | 'currency' | 'waitThresholdMinutes';

function SettingsForm({ settings }: { settings: ClinicSettings }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { refreshMe } = useSession();
  const message = useErrorMessage();
  const serverFields = useServerFieldErrors();
  const zones = useMemo(timeZoneOptions, []);
  const [values, setValues] = useState(settings);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems: Partial<Record<Field, string>> = {};
    if (!values.name.trim()) problems.name = t('validation.required');
    if (!zones.includes(values.timeZone)) problems.timeZone = t('setup.timeZoneInvalid');
    if (!/^[A-Z]{3}$/.test(values.currency)) problems.currency = t('setup.currencyInvalid');
    if (!Number.isInteger(values.waitThresholdMinutes) || values.waitThresholdMinutes < 1 || values.waitThresholdMinutes > 600) {
      problems.waitThresholdMinutes = t('settings.thresholdInvalid');
    }
    setErrors(problems);
    setFailure(null);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    try {
      const saved = await api<ClinicSettings>('PATCH', '/api/clinic', { ...values, name: values.name.trim() });
      client.setQueryData(['clinic'], saved);
      setValues(saved);
      refreshMe(await api<Me>('GET', '/api/auth/me'));
      void client.invalidateQueries({ queryKey: ['visits'] });
      notifySuccess(t('settings.saved'));
    } catch (error) {
      setErrors(serverFields(error));
      setFailure(message(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper withBorder radius="md" p="md" maw={720}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput label={t('settings.name')} value={values.name} onChange={(e) => setValues({ ...values, name: e.currentTarget.value })} error={errors.name} maxLength={200} required />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label={t('settings.timeZone')}
              description={t('settings.timeZoneHint')}
              data={zones}
              value={values.timeZone}
              onChange={(zone) => setValues({ ...values, timeZone: zone ?? '' })}
              error={errors.timeZone}
              searchable
              limit={50}
              nothingFoundMessage={t('common.nothingFound')}
              required
            />
            <NumberInput
              label={t('settings.waitThreshold')}
              description={t('settings.waitThresholdHint')}
              value={values.waitThresholdMinutes}
              onChange={(n) => setValues({ ...values, waitThresholdMinutes: typeof n === 'number' ? n : Number(n) || 0 })}
              min={1}
              max={600}
              allowDecimal={false}
              error={errors.waitThresholdMinutes}
              required
            />
            <TextInput
              label={t('settings.currency')}
              description={t('setup.currencyHint')}
              value={values.currency}
              onChange={(e) => setValues({ ...values, currency: e.currentTarget.value.toUpperCase() })}
              error={errors.currency}
              maxLength={3}
              required
            />
            <NativeSelect
              label={t('settings.defaultLanguage')}
              value={values.defaultLanguage}
              onChange={(e) => setValues({ ...values, defaultLanguage: e.currentTarget.value as LanguageCode })}
              data={[
                { value: 'en', label: LANGUAGE_NAMES.en },
                { value: 'ar', label: LANGUAGE_NAMES.ar },
              ]}
            />
          </SimpleGrid>
          <FailureAlert message={failure} />
          <Group>
            <Button type="submit" loading={busy}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

export function ClinicSettingsPage() {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: ['clinic'], queryFn: () => api<ClinicSettings>('GET', '/api/clinic') });
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('settings.title')}
      </Title>
      {settings.isPending ? <Loading /> : settings.isError ? <LoadError error={settings.error} onRetry={() => void settings.refetch()} /> : <SettingsForm settings={settings.data} />}
    </Stack>
  );
}
