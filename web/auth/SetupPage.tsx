import { useMemo, useState, type FormEvent } from 'react';
import { Alert, Button, Divider, NativeSelect, PasswordInput, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { Me, SetupBody } from '../../common/auth.ts';
import type { LanguageCode } from '../../common/schema.ts';
import { api, isApiError } from '../api/client.ts';
import { useErrorMessage, useServerFieldErrors } from '../ui/errors.ts';
import { focusFirstInvalid } from '../ui/focus.ts';
import { LANGUAGE_NAMES } from '../ui/LanguageSwitch.tsx';
import { AuthFrame } from './LoginPage.tsx';
import { useSession } from './session.tsx';

/** Every IANA zone the browser knows, with UTC always among them. */
export function timeZoneOptions(): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

function deviceTimeZone(zones: string[]): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zones.includes(zone) ? zone : 'UTC';
}

type Field = 'clinicName' | 'timeZone' | 'currency' | 'username' | 'displayName' | 'password' | 'confirm';

const USERNAME = /^[A-Za-z0-9._@-]{3,80}$/;

/** First run: names the clinic and creates its first administrator, who is then signed in. */
export function SetupPage() {
  const { t, i18n } = useTranslation();
  const message = useErrorMessage();
  const serverFields = useServerFieldErrors();
  const { signedIn, retry } = useSession();
  const zones = useMemo(timeZoneOptions, []);
  const [values, setValues] = useState({
    clinicName: '',
    timeZone: deviceTimeZone(zones),
    currency: '',
    defaultLanguage: (i18n.language === 'ar' ? 'ar' : 'en') as LanguageCode,
    username: '',
    displayName: '',
    password: '',
    confirm: '',
  });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [alreadySetUp, setAlreadySetUp] = useState(false);
  const [busy, setBusy] = useState(false);

  const set = (field: keyof typeof values) => (value: string) => setValues((v) => ({ ...v, [field]: value }));

  function validate(): Partial<Record<Field, string>> {
    const problems: Partial<Record<Field, string>> = {};
    if (!values.clinicName.trim()) problems.clinicName = t('validation.required');
    if (!zones.includes(values.timeZone)) problems.timeZone = t('setup.timeZoneInvalid');
    if (!/^[A-Za-z]{3}$/.test(values.currency.trim())) problems.currency = t('setup.currencyInvalid');
    if (!USERNAME.test(values.username.trim())) problems.username = t('validation.username');
    if (!values.displayName.trim()) problems.displayName = t('validation.required');
    if (values.password.length < 10) problems.password = t('validation.passwordLength');
    if (values.confirm !== values.password) problems.confirm = t('validation.passwordMismatch');
    return problems;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems = validate();
    setErrors(problems);
    setFailure(null);
    if (Object.keys(problems).length > 0) return focusFirstInvalid();
    const body: SetupBody = {
      clinicName: values.clinicName.trim(),
      timeZone: values.timeZone,
      currency: values.currency.trim().toUpperCase(),
      defaultLanguage: values.defaultLanguage,
      admin: { username: values.username.trim(), displayName: values.displayName.trim(), password: values.password },
    };
    setBusy(true);
    try {
      signedIn(await api<Me>('POST', '/api/setup', body));
    } catch (error) {
      if (isApiError(error) && error.code === 'already_set_up') setAlreadySetUp(true);
      setErrors(serverFields(error));
      setFailure(message(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthFrame title={t('setup.title')}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Text size="sm" c="dimmed">
            {t('setup.intro')}
          </Text>
          {failure && (
            <Alert color="red" icon={<IconAlertTriangle size={18} aria-hidden />} role="alert">
              <Stack gap="xs" align="flex-start">
                <span>{failure}</span>
                {alreadySetUp && (
                  <Button size="xs" variant="light" onClick={retry}>
                    {t('setup.goToLogin')}
                  </Button>
                )}
              </Stack>
            </Alert>
          )}
          <TextInput label={t('setup.clinicName')} value={values.clinicName} onChange={(e) => set('clinicName')(e.currentTarget.value)} error={errors.clinicName} maxLength={200} required />
          <Select
            label={t('setup.timeZone')}
            data={zones}
            value={values.timeZone}
            onChange={(value) => set('timeZone')(value ?? '')}
            error={errors.timeZone}
            searchable
            limit={50}
            nothingFoundMessage={t('common.nothingFound')}
            required
          />
          <SimpleGrid cols={2}>
            <TextInput
              label={t('setup.currency')}
              description={t('setup.currencyHint')}
              value={values.currency}
              onChange={(e) => set('currency')(e.currentTarget.value.toUpperCase())}
              error={errors.currency}
              maxLength={3}
              required
            />
            <NativeSelect
              label={t('setup.defaultLanguage')}
              value={values.defaultLanguage}
              onChange={(e) => set('defaultLanguage')(e.currentTarget.value)}
              data={[
                { value: 'en', label: LANGUAGE_NAMES.en },
                { value: 'ar', label: LANGUAGE_NAMES.ar },
              ]}
            />
          </SimpleGrid>
          <Divider label={t('setup.adminSection')} labelPosition="left" />
          <TextInput
            label={t('setup.username')}
            description={t('validation.usernameHint')}
            autoComplete="username"
            dir="ltr"
            autoCapitalize="none"
            spellCheck={false}
            value={values.username}
            onChange={(e) => set('username')(e.currentTarget.value)}
            error={errors.username}
            maxLength={80}
            required
          />
          <TextInput label={t('setup.displayName')} value={values.displayName} onChange={(e) => set('displayName')(e.currentTarget.value)} error={errors.displayName} maxLength={120} required />
          <PasswordInput
            label={t('setup.password')}
            description={t('validation.passwordHint')}
            autoComplete="new-password"
            value={values.password}
            onChange={(e) => set('password')(e.currentTarget.value)}
            error={errors.password}
            maxLength={200}
            required
          />
          <PasswordInput
            label={t('setup.confirm')}
            autoComplete="new-password"
            value={values.confirm}
            onChange={(e) => set('confirm')(e.currentTarget.value)}
            error={errors.confirm}
            maxLength={200}
            required
          />
          <Button type="submit" loading={busy} fullWidth>
            {t('setup.submit')}
          </Button>
        </Stack>
      </form>
    </AuthFrame>
  );
}
