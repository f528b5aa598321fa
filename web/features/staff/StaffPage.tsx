import { useState, type FormEvent } from 'react';
import { ActionIcon, Badge, Button, Checkbox, Group, Menu, Modal, NativeSelect, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconDots, IconUserPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ROLES, type Role } from '../../../common/permissions.ts';
import type { DoctorSchedule, StaffMember } from '../../../common/staff.ts';
import { isApiError } from '../../api/client.ts';
import { useMe } from '../../auth/session.tsx';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { useErrorMessage, useServerFieldErrors } from '../../ui/errors.ts';
import { Empty, LoadError, Loading, FailureAlert } from '../../ui/ListState.tsx';
import { notifySuccess } from '../../ui/notify.ts';
import { DEFAULT_SCHEDULE, ScheduleEditor, scheduleIsValid, scheduleSummary } from './ScheduleEditor.tsx';
import { createStaff, resetPassword, updateStaff, useStaff } from './staffApi.ts';

const USERNAME = /^[A-Za-z0-9._@-]{3,80}$/;

type Editing = { kind: 'create' } | { kind: 'edit'; member: StaffMember };

function StaffDialog({ editing, onClose }: { editing: Editing | null; onClose(): void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const message = useErrorMessage();
  const serverFields = useServerFieldErrors();
  const member = editing?.kind === 'edit' ? editing.member : null;
  const [role, setRole] = useState<Role>(member?.role ?? 'secretary');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState(member?.displayName ?? '');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [schedule, setSchedule] = useState<DoctorSchedule>(member?.schedule ?? DEFAULT_SCHEDULE);
  const [mayWaive, setMayWaive] = useState(member?.grants.includes('billing.waive') ?? false);
  // Admins waive by their role; for anyone else it is a grant of its own.
  const grants = role !== 'admin' && mayWaive ? (['billing.waive'] as const) : ([] as const);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [showScheduleErrors, setShowScheduleErrors] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems: Record<string, string | undefined> = {};
    if (!member && !USERNAME.test(username.trim())) problems.username = t('validation.username');
    if (!displayName.trim()) problems.displayName = t('validation.required');
    if (!member && password.length < 10) problems.password = t('validation.passwordLength');
    if (!member && confirm !== password) problems.confirm = t('validation.passwordMismatch');
    setErrors(problems);
    setShowScheduleErrors(true);
    const scheduleOk = role !== 'doctor' || scheduleIsValid(schedule);
    if (Object.values(problems).some(Boolean) || !scheduleOk) return setFailure(t('validation.fixFields'));
    setBusy(true);
    setFailure(null);
    try {
      if (member) {
        await updateStaff(member.id, {
          ...(displayName.trim() !== member.displayName && { displayName: displayName.trim() }),
          ...(role !== member.role && { role }),
          ...(role === 'doctor' && { schedule }),
          ...(grants.length !== member.grants.length && { grants: [...grants] }),
        });
        notifySuccess(t('staff.saved', { name: displayName.trim() }));
      } else {
        await createStaff({ username: username.trim(), displayName: displayName.trim(), role, password, ...(role === 'doctor' && { schedule }), ...(grants.length > 0 && { grants: [...grants] }) });
        notifySuccess(t('staff.created', { name: displayName.trim() }));
      }
      void client.invalidateQueries({ queryKey: ['staff'] });
      onClose();
    } catch (error) {
      if (isApiError(error) && error.code === 'username_taken') {
        setErrors({ username: t('errors.username_taken') });
        setFailure(null);
      } else {
        setErrors(serverFields(error));
        setFailure(message(error));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={editing !== null} onClose={onClose} title={member ? t('staff.editTitle', { name: member.displayName }) : t('staff.createTitle')} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <NativeSelect label={t('staff.role')} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)} data={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
          {member && role !== member.role && (
            <Text size="xs" c="orange.8">
              {t('staff.roleChangeNote')}
            </Text>
          )}
          {!member && (
            <TextInput
              label={t('staff.username')}
              description={t('validation.usernameHint')}
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
              error={errors.username}
              autoCapitalize="none"
              dir="ltr"
              autoComplete="off"
              spellCheck={false}
              maxLength={80}
              required
            />
          )}
          <TextInput label={t('staff.displayName')} value={displayName} onChange={(e) => setDisplayName(e.currentTarget.value)} error={errors.displayName} maxLength={120} required />
          {!member && (
            <>
              <PasswordInput
                label={t('staff.password')}
                description={t('validation.passwordHint')}
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={errors.password}
                autoComplete="new-password"
                maxLength={200}
                required
              />
              <PasswordInput label={t('staff.confirmPassword')} value={confirm} onChange={(e) => setConfirm(e.currentTarget.value)} error={errors.confirm} autoComplete="new-password" maxLength={200} required />
            </>
          )}
          {role !== 'admin' && (
            <Checkbox label={t('staff.mayWaive')} description={t('staff.mayWaiveHint')} checked={mayWaive} onChange={(e) => setMayWaive(e.currentTarget.checked)} />
          )}
          {role === 'doctor' && <ScheduleEditor value={schedule} onChange={setSchedule} showErrors={showScheduleErrors} />}
          <FailureAlert message={failure} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={busy}>
              {member ? t('common.save') : t('staff.createSubmit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function PasswordDialog({ member, onClose }: { member: StaffMember | null; onClose(): void }) {
  const { t } = useTranslation();
  const message = useErrorMessage();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ password?: string; confirm?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function close() {
    setPassword('');
    setConfirm('');
    setErrors({});
    setFailure(null);
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems = {
      password: password.length < 10 ? t('validation.passwordLength') : undefined,
      confirm: confirm !== password ? t('validation.passwordMismatch') : undefined,
    };
    setErrors(problems);
    if (problems.password || problems.confirm || !member) return;
    setBusy(true);
    try {
      await resetPassword(member.id, password);
      notifySuccess(t('staff.passwordReset', { name: member.displayName }));
      close();
    } catch (error) {
      setFailure(message(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={member !== null} onClose={close} title={t('staff.resetTitle', { name: member?.displayName ?? '' })}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm">{t('staff.resetNote')}</Text>
          <PasswordInput label={t('staff.newPassword')} description={t('validation.passwordHint')} value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={errors.password} autoComplete="new-password" maxLength={200} required />
          <PasswordInput label={t('staff.confirmPassword')} value={confirm} onChange={(e) => setConfirm(e.currentTarget.value)} error={errors.confirm} autoComplete="new-password" maxLength={200} required />
          <FailureAlert message={failure} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={busy}>
              {t('staff.resetSubmit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Staff accounts of the clinic: who may sign in, in which role, and each doctor's working hours. */
export function StaffPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const client = useQueryClient();
  const staff = useStaff();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [resetting, setResetting] = useState<StaffMember | null>(null);
  const [toggling, setToggling] = useState<StaffMember | null>(null);

  let content: React.ReactNode;
  if (staff.isPending) content = <Loading />;
  else if (staff.isError) content = <LoadError error={staff.error} onRetry={() => void staff.refetch()} />;
  else if (staff.data.items.length === 0) content = <Empty title={t('staff.empty')} />;
  else {
    content = (
      <Paper withBorder radius="md" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('staff.listLabel')}>
        {staff.data.items.map((member) => (
          <li key={member.id} className="row-card">
            <Group justify="space-between" px="sm" py="xs" wrap="nowrap" gap="sm" align="flex-start">
              <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
                <Group gap="xs">
                  <Text fw={600} c={member.active ? undefined : 'dimmed'}>
                    {member.displayName}
                  </Text>
                  <Badge variant="light" size="sm">
                    {t(`roles.${member.role}`)}
                  </Badge>
                  {!member.active && (
                    <Badge color="gray" size="sm">
                      {t('staff.inactive')}
                    </Badge>
                  )}
                  {member.grants.includes('billing.waive') && (
                    <Badge color="orange" variant="light" size="sm">
                      {t('staff.mayWaiveBadge')}
                    </Badge>
                  )}
                  {member.id === me.userId && (
                    <Badge color="teal" variant="outline" size="sm">
                      {t('staff.you')}
                    </Badge>
                  )}
                </Group>
                <Text size="xs" c="dimmed" dir="ltr" style={{ textAlign: 'start' }}>
                  {member.username}
                </Text>
                {member.schedule && (
                  <Text size="xs" c="dimmed">
                    {t(`staff.consultationTypes.${member.schedule.consultationType}`)} · {scheduleSummary(member.schedule, i18n.language, { everyDay: t('staff.everyDay'), minutes: (n) => t('staff.minutes', { n }) })}
                  </Text>
                )}
              </Stack>
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <ActionIcon variant="default" size="lg" aria-label={t('staff.actionsFor', { name: member.displayName })} style={{ flexShrink: 0 }}>
                    <IconDots size={16} aria-hidden />
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item onClick={() => setEditing({ kind: 'edit', member })}>{member.role === 'doctor' ? t('staff.editWithSchedule') : t('staff.edit')}</Menu.Item>
                  <Menu.Item onClick={() => setResetting(member)}>{t('staff.resetPassword')}</Menu.Item>
                  {member.id !== me.userId && (
                    <Menu.Item color={member.active ? 'red' : 'teal'} onClick={() => setToggling(member)}>
                      {member.active ? t('staff.deactivate') : t('staff.reactivate')}
                    </Menu.Item>
                  )}
                </Menu.Dropdown>
              </Menu>
            </Group>
          </li>
        ))}
      </Paper>
    );
  }

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={1} size="h2">
          {t('staff.title')}
        </Title>
        <Button leftSection={<IconUserPlus size={16} aria-hidden />} onClick={() => setEditing({ kind: 'create' })}>
          {t('staff.add')}
        </Button>
      </Group>
      {content}
      {editing && <StaffDialog key={editing.kind === 'edit' ? editing.member.id : 'new'} editing={editing} onClose={() => setEditing(null)} />}
      <PasswordDialog member={resetting} onClose={() => setResetting(null)} />
      <ConfirmDialog
        opened={toggling !== null}
        onClose={() => setToggling(null)}
        title={toggling?.active ? t('staff.deactivateTitle', { name: toggling.displayName }) : t('staff.reactivateTitle', { name: toggling?.displayName ?? '' })}
        message={toggling?.active ? t('staff.deactivateNote') : t('staff.reactivateNote')}
        confirmLabel={toggling?.active ? t('staff.deactivate') : t('staff.reactivate')}
        color={toggling?.active ? 'red' : 'teal'}
        onConfirm={async () => {
          if (!toggling) return;
          await updateStaff(toggling.id, { active: !toggling.active });
          void client.invalidateQueries({ queryKey: ['staff'] });
          notifySuccess(toggling.active ? t('staff.deactivated', { name: toggling.displayName }) : t('staff.reactivated', { name: toggling.displayName }));
        }}
      />
    </Stack>
  );
}
