import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useErrorMessage } from './errors.ts';
import { FailureAlert } from './ListState.tsx';

interface Props {
  opened: boolean;
  title: string;
  description?: string;
  confirmLabel: string;
  reasonRequired: boolean;
  onClose(): void;
  /** Runs the action; a thrown error is shown in the dialog, which then stays open. */
  onConfirm(reason: string): Promise<void>;
}

/** Asks for confirmation of a closing action, with the reason to keep on record. */
export function ReasonDialog({ opened, title, description, confirmLabel, reasonRequired, onClose, onConfirm }: Props) {
  const { t } = useTranslation();
  const message = useErrorMessage();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function close() {
    setReason('');
    setError(null);
    setFailure(null);
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (reasonRequired && !reason.trim()) return setError(t('validation.reasonRequired'));
    setBusy(true);
    setFailure(null);
    try {
      await onConfirm(reason.trim());
      close();
    } catch (e) {
      setFailure(message(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={title}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {description && <Text size="sm">{description}</Text>}
          <Textarea
            label={t('common.reason')}
            value={reason}
            onChange={(e) => {
              setReason(e.currentTarget.value);
              setError(null);
            }}
            error={error}
            required={reasonRequired}
            maxLength={300}
            autosize
            minRows={2}
            data-autofocus
          />
          <FailureAlert message={failure} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={busy}>
              {t('common.back')}
            </Button>
            <Button type="submit" color="red" loading={busy}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
