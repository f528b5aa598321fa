import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../common/auth.ts';
import { api, isApiError } from '../api/client.ts';
import { useErrorMessage } from '../ui/errors.ts';
import { LanguageSwitch } from '../ui/LanguageSwitch.tsx';
import { useSession } from './session.tsx';
import { FailureAlert } from '../ui/ListState.tsx';

export function AuthFrame({ title, children }: { title: string; children: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <main className="auth-frame">
      <Stack w="100%" maw={440} gap="md">
        <Group justify="space-between" wrap="nowrap">
          <Text fw={700} c="teal.8" size="lg">
            {t('app.name')}
          </Text>
          <LanguageSwitch />
        </Group>
        <Paper withBorder shadow="sm" p="lg" radius="md">
          <Title order={1} size="h2" mb="md">
            {title}
          </Title>
          {children}
        </Paper>
      </Stack>
    </main>
  );
}

export function LoginPage({ reason }: { reason?: 'expired' | 'signed_out' }) {
  const { t } = useTranslation();
  const message = useErrorMessage();
  const { signedIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ username?: string; password?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems = {
      username: username.trim() ? undefined : t('login.usernameRequired'),
      password: password ? undefined : t('login.passwordRequired'),
    };
    setMissing(problems);
    if (problems.username || problems.password) return;
    setBusy(true);
    setFailure(null);
    try {
      signedIn(await api<Me>('POST', '/api/auth/login', { username: username.trim(), password }));
    } catch (error) {
      setPassword('');
      if (isApiError(error) && error.code === 'invalid_credentials') setFailure(t('login.invalid'));
      else if (isApiError(error) && error.code === 'too_many_attempts') setFailure(t('login.throttled'));
      else setFailure(message(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthFrame title={t('login.title')}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {reason === 'expired' && (
            <Alert color="yellow" icon={<IconInfoCircle size={18} aria-hidden />} role="status">
              {t('login.expired')}
            </Alert>
          )}
          {reason === 'signed_out' && (
            <Alert color="teal" icon={<IconInfoCircle size={18} aria-hidden />} role="status">
              {t('login.signedOut')}
            </Alert>
          )}
          <FailureAlert message={failure} />
          <TextInput
            label={t('login.username')}
            autoComplete="username"
            dir="ltr"
            autoCapitalize="none"
            spellCheck={false}
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
            error={missing.username}
            maxLength={80}
            required
            autoFocus
          />
          <PasswordInput
            label={t('login.password')}
            autoComplete="current-password"
            dir="ltr"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={missing.password}
            maxLength={200}
            required
          />
          <Button type="submit" loading={busy} fullWidth>
            {t('login.submit')}
          </Button>
        </Stack>
      </form>
    </AuthFrame>
  );
}
