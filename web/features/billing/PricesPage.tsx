import { useEffect, useState } from 'react';
import { Badge, Button, Group, Modal, NumberInput, Paper, Select, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatMinor, parseMinor, SERVICE_KINDS, type Service, type ServiceKind } from '../../../common/billing.ts';
import { CONSULTATION_TYPES } from '../../../common/staff.ts';
import { useMe } from '../../auth/session.tsx';
import { useErrorMessage, useServerFieldErrors } from '../../ui/errors.ts';
import { Empty, FailureAlert, LoadError, Loading } from '../../ui/ListState.tsx';
import { notifySuccess } from '../../ui/notify.ts';
import { createService, updateService, useServices } from './billingApi.ts';

interface Draft {
  code: string;
  nameEn: string;
  nameAr: string;
  kind: ServiceKind;
  consultationType: string;
  price: string;
  taxPercent: number;
  active: boolean;
}

function draftOf(service: Service | null, currency: string): Draft {
  return {
    code: service?.code ?? '',
    nameEn: service?.nameEn ?? '',
    nameAr: service?.nameAr ?? '',
    kind: service?.kind ?? 'consultation',
    consultationType: service?.consultationType ?? 'general',
    price: service ? formatMinor(service.priceMinor, currency, false) : '',
    taxPercent: service ? service.taxRateBp / 100 : 0,
    active: service?.active ?? true,
  };
}

/** Adds or edits one service of the price list. A new price never changes charges already made. */
function ServiceDialog({ opened, service, onClose }: { opened: boolean; service: Service | null; onClose(): void }) {
  const { t } = useTranslation();
  const me = useMe();
  const client = useQueryClient();
  const message = useErrorMessage();
  const serverFields = useServerFieldErrors();
  const [draft, setDraft] = useState<Draft>(() => draftOf(service, me.currency));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [showErrors, setShowErrors] = useState(false);
  useEffect(() => {
    if (!opened) return;
    setDraft(draftOf(service, me.currency));
    setFailure(null);
    setFieldErrors({});
    setShowErrors(false);
  }, [opened, service, me.currency]);

  const priceMinor = parseMinor(draft.price, me.currency);
  const errors: Record<string, string | null> = {
    code: !service && !/^[A-Z0-9][A-Z0-9._-]{0,19}$/.test(draft.code) ? t('billing.prices.codeRule') : null,
    nameEn: draft.nameEn.trim() ? null : t('validation.required'),
    nameAr: draft.nameAr.trim() ? null : t('validation.required'),
    price: priceMinor === null ? t('billing.prices.priceRule') : null,
  };
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });

  async function submit() {
    setShowErrors(true);
    if (Object.values(errors).some(Boolean) || priceMinor === null) return;
    setBusy(true);
    setFailure(null);
    try {
      const taxRateBp = Math.round(draft.taxPercent * 100);
      if (service) {
        await updateService(service.id, { nameEn: draft.nameEn, nameAr: draft.nameAr, priceMinor, taxRateBp, active: draft.active, version: service.version });
      } else {
        await createService({
          code: draft.code,
          nameEn: draft.nameEn,
          nameAr: draft.nameAr,
          kind: draft.kind,
          consultationType: draft.kind === 'consultation' ? (draft.consultationType as 'general') : null,
          priceMinor,
          taxRateBp,
          active: draft.active,
        });
      }
      void client.invalidateQueries({ queryKey: ['billing', 'services'] });
      notifySuccess(t('billing.prices.saved'));
      onClose();
    } catch (error) {
      setFailure(message(error));
      setFieldErrors(serverFields(error));
    } finally {
      setBusy(false);
    }
  }

  const error = (field: string) => (showErrors && errors[field]) || fieldErrors[field];
  return (
    <Modal opened={opened} onClose={onClose} title={service ? t('billing.prices.editTitle', { code: service.code }) : t('billing.prices.addTitle')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        noValidate
      >
        <Stack>
          {!service && (
            <>
              <TextInput label={t('billing.prices.code')} description={t('billing.prices.codeRule')} value={draft.code} onChange={(e) => set({ code: e.currentTarget.value.toUpperCase() })} maxLength={20} required error={error('code')} />
              <Select
                label={t('billing.prices.kind')}
                data={SERVICE_KINDS.map((k) => ({ value: k, label: t(`billing.kinds.${k}`) }))}
                value={draft.kind}
                onChange={(v) => v && set({ kind: v as ServiceKind })}
                allowDeselect={false}
              />
              {draft.kind === 'consultation' && (
                <Select
                  label={t('billing.prices.consultationType')}
                  data={CONSULTATION_TYPES.map((c) => ({ value: c, label: t(`staff.consultationTypes.${c}`) }))}
                  value={draft.consultationType}
                  onChange={(v) => v && set({ consultationType: v })}
                  allowDeselect={false}
                  error={fieldErrors.consultationType}
                />
              )}
            </>
          )}
          <TextInput label={t('billing.prices.nameEn')} value={draft.nameEn} onChange={(e) => set({ nameEn: e.currentTarget.value })} maxLength={120} required error={error('nameEn')} />
          <TextInput label={t('billing.prices.nameAr')} value={draft.nameAr} onChange={(e) => set({ nameAr: e.currentTarget.value })} maxLength={120} required dir="rtl" error={error('nameAr')} />
          <Group grow align="flex-start">
            <TextInput label={t('billing.prices.price', { currency: me.currency })} inputMode="decimal" value={draft.price} onChange={(e) => set({ price: e.currentTarget.value })} required error={error('price')} />
            <NumberInput label={t('billing.prices.tax')} value={draft.taxPercent} onChange={(v) => set({ taxPercent: typeof v === 'number' ? v : 0 })} min={0} max={100} decimalScale={2} suffix=" %" />
          </Group>
          <Switch label={t('billing.prices.active')} checked={draft.active} onChange={(e) => set({ active: e.currentTarget.checked })} />
          <FailureAlert message={failure} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={busy}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The clinic's price list: what each consultation type, test and procedure costs. */
export function PricesPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const services = useServices();
  const [editing, setEditing] = useState<Service | null>(null);
  const [adding, setAdding] = useState(false);

  let content: React.ReactNode;
  if (services.isPending) content = <Loading />;
  else if (services.isError) content = <LoadError error={services.error} onRetry={() => void services.refetch()} />;
  else if (services.data.items.length === 0) content = <Empty title={t('billing.prices.empty')} description={t('billing.prices.emptyHint')} />;
  else {
    content = (
      <Paper withBorder radius="md">
        <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {services.data.items.map((s) => (
            <li key={s.id} className="row-card">
              <Group justify="space-between" px="sm" py="xs" wrap="wrap" gap="xs">
                <Stack gap={0} style={{ minWidth: 0 }}>
                  <Text fw={600}>{i18n.language === 'ar' ? s.nameAr : s.nameEn}</Text>
                  <Text size="xs" c="dimmed">
                    <span className="mono">{s.code}</span> · {t(`billing.kinds.${s.kind}`)}
                    {s.consultationType && ` · ${t(`staff.consultationTypes.${s.consultationType}`)}`}
                    {s.taxRateBp > 0 && ` · ${t('billing.prices.taxShort', { percent: s.taxRateBp / 100 })}`}
                  </Text>
                </Stack>
                <Group gap="xs">
                  {!s.active && (
                    <Badge color="gray" variant="light">
                      {t('billing.prices.inactive')}
                    </Badge>
                  )}
                  <Text fw={700} className="mono">
                    {formatMinor(s.priceMinor, me.currency)} {me.currency}
                  </Text>
                  <Button size="xs" variant="default" onClick={() => setEditing(s)} aria-label={t('billing.prices.editNamed', { code: s.code })}>
                    {t('billing.prices.edit')}
                  </Button>
                </Group>
              </Group>
            </li>
          ))}
        </ul>
      </Paper>
    );
  }
  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Stack gap={0}>
          <Title order={1} size="h2">
            {t('billing.prices.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('billing.prices.hint')}
          </Text>
        </Stack>
        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setAdding(true)}>
          {t('billing.prices.add')}
        </Button>
      </Group>
      {content}
      <ServiceDialog opened={adding || editing !== null} service={editing} onClose={() => {
          setAdding(false);
          setEditing(null);
        }} />
    </Stack>
  );
}
