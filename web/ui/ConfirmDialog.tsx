import { useState } from 'react';
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useErrorMessage } from './errors.ts';
import { FailureAlert } from './ListState.tsx';

interface Props {
  opened: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  color?: string;
  onClose(): void;
  onConfirm(): Promise<void>;
}

/** A yes-or-back question before an action; a refusal is shown in place. */
export function ConfirmDialog({ opened, title, message, confirmLabel, color = 'red', onClose, onConfirm }: Props) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function close() {
    setFailure(null);
    onClose();
  }

  async function confirm() {
    setBusy(true);
    setFailure(null);
    try {
      await onConfirm();
      close();
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={title}>
      <Stack>
        <Text size="sm">{message}</Text>
        <FailureAlert message={failure} />
        <Group justify="flex-end">
          <Button variant="default" onClick={close} disabled={busy}>
            {t('common.back')}
          </Button>
          <Button color={color} onClick={() => void confirm()} loading={busy}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
