import type { ReactNode } from 'react';
import { Alert, Button, Center, EmptyState, Loader, Stack } from '@mantine/core';
import { IconAlertTriangle, IconInbox } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useErrorMessage } from './errors.ts';

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Stack align="center" gap="xs">
        <Loader size="sm" aria-hidden />
        <span>{label ?? t('common.loading')}</span>
      </Stack>
    </Center>
  );
}

export function Empty({ title, description, children }: { title: string; description?: string; children?: ReactNode }) {
  return (
    <EmptyState py="xl" icon={<IconInbox size={28} aria-hidden />} title={title} description={description} role="status">
      {children}
    </EmptyState>
  );
}

export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message = useErrorMessage();
  return (
    <Alert color="red" icon={<IconAlertTriangle size={18} aria-hidden />} title={t('common.loadFailed')} role="alert">
      <Stack gap="xs" align="flex-start">
        <span>{message(error)}</span>
        {onRetry && (
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

/** An action's refusal or failure, shown where the person acted; nothing when there is none. */
export function FailureAlert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <Alert color="red" icon={<IconAlertTriangle size={18} aria-hidden />} role="alert">
      {message}
    </Alert>
  );
}
