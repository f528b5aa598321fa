import { useEffect, useMemo, useState } from 'react';
import { Button, Checkbox, Group, Modal, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatMinor, parseMinor, type PaymentMethod, type PaymentResult } from '../../../common/billing.ts';
import { useMe } from '../../auth/session.tsx';
import { useErrorMessage } from '../../ui/errors.ts';
import { FailureAlert, LoadError, Loading } from '../../ui/ListState.tsx';
import { newIdempotencyKey, pay, useCharges } from './billingApi.ts';
import { InvoicePdfLinks, MethodPicker } from './BillingParts.tsx';

interface Props {
  opened: boolean;
  onClose(): void;
  patientId: string | null;
  patientName: string;
}

/**
 * Takes a payment for a patient's open charges: one method or split over two, cash with the change
 * worked out, card with the terminal's reference. One idempotency key per attempt, so a double click or
 * a retry after a lost answer takes the money once.
 */
export function PaymentDialog({ opened, onClose, patientId, patientName }: Props) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const client = useQueryClient();
  const message = useErrorMessage();
  const charges = useCharges(opened ? patientId : null);
  const currency = charges.data?.currency ?? me.currency;
  const pending = useMemo(() => (charges.data?.items ?? []).filter((c) => c.status === 'pending'), [charges.data]);
  const [selected, setSelected] = useState<string[]>([]);
  const [method, setMethod] = useState<PaymentMethod>('cash');
  const [tendered, setTendered] = useState('');
  const [reference, setReference] = useState('');
  const [split, setSplit] = useState(false);
  const [secondMethod, setSecondMethod] = useState<PaymentMethod>('card');
  const [secondAmount, setSecondAmount] = useState('');
  const [secondReference, setSecondReference] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [result, setResult] = useState<PaymentResult | null>(null);
  const [showErrors, setShowErrors] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setResult(null);
    setFailure(null);
    setShowErrors(false);
    setTendered('');
    setReference('');
    setSplit(false);
    setSecondAmount('');
    setSecondReference('');
    setKey(newIdempotencyKey());
  }, [opened]);
  useEffect(() => setSelected(pending.map((c) => c.id)), [pending]);

  const money = (minor: number) => formatMinor(minor, currency);
  const total = pending.filter((c) => selected.includes(c.id)).reduce((sum, c) => sum + c.totalMinor, 0);
  const second = split ? parseMinor(secondAmount, currency) : 0;
  const first = second === null ? null : total - second;
  const cashPart = method === 'cash' ? first : split && secondMethod === 'cash' ? second : null;
  const tenderedMinor = tendered.trim() ? parseMinor(tendered, currency) : null;
  const errors = {
    charges: selected.length === 0 ? t('billing.pay.chooseCharge') : null,
    second: split && (second === null || second <= 0 || second >= total) ? t('billing.pay.secondAmountInvalid') : null,
    sameMethod: split && secondMethod === method ? t('billing.pay.differentMethods') : null,
    tendered:
      tendered.trim() && (tenderedMinor === null || (cashPart !== null && tenderedMinor < cashPart)) ? t('billing.pay.tenderedTooLittle') : null,
    reference: method === 'card' && !reference.trim() ? t('billing.pay.referenceRequired') : null,
    secondReference: split && secondMethod === 'card' && !secondReference.trim() ? t('billing.pay.referenceRequired') : null,
  };
  const valid = Object.values(errors).every((e) => e === null);
  const change = tenderedMinor !== null && cashPart !== null && tenderedMinor >= cashPart ? tenderedMinor - cashPart : null;

  async function submit() {
    setShowErrors(true);
    if (!valid || !patientId || first === null) return;
    setBusy(true);
    setFailure(null);
    const part = (m: PaymentMethod, amount: number, ref: string) => ({
      method: m,
      amountMinor: amount,
      ...(m === 'cash' && tenderedMinor !== null && { tenderedMinor }),
      ...(ref.trim() && m !== 'cash' && { reference: ref.trim() }),
    });
    const parts = [part(method, first, reference), ...(split && second ? [part(secondMethod, second, secondReference)] : [])];
    try {
      const paid = await pay({ idempotencyKey: key, patientId, chargeIds: selected, parts });
      setResult(paid);
      void client.invalidateQueries({ queryKey: ['billing'] });
      void client.invalidateQueries({ queryKey: ['visits'] });
    } catch (error) {
      setFailure(message(error));
    } finally {
      setBusy(false);
    }
  }

  const methodLabel = (m: PaymentMethod) => t(`billing.methods.${m}`);
  let body: React.ReactNode;
  if (result) {
    body = (
      <Stack>
        <Text role="status" fw={600}>
          {t('billing.pay.done', { number: result.invoice.number, amount: money(result.totalMinor), currency })}
        </Text>
        {result.changeMinor > 0 && (
          <Text size="xl" fw={800}>
            {t('billing.pay.giveChange', { amount: money(result.changeMinor), currency })}
          </Text>
        )}
        <InvoicePdfLinks invoiceId={result.invoice.id} />
        <Group justify="flex-end">
          <Button onClick={onClose}>{t('common.close')}</Button>
        </Group>
      </Stack>
    );
  } else if (charges.isPending) body = <Loading />;
  else if (charges.isError) body = <LoadError error={charges.error} onRetry={() => void charges.refetch()} />;
  else if (pending.length === 0) body = <Text>{t('billing.pay.nothingOpen')}</Text>;
  else {
    body = (
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        noValidate
      >
        <Stack>
          <Checkbox.Group label={t('billing.pay.charges')} value={selected} onChange={setSelected} error={showErrors && errors.charges}>
            <Stack gap={4} mt={4}>
              {pending.map((c) => (
                <Checkbox
                  key={c.id}
                  value={c.id}
                  label={`${i18n.language === 'ar' ? c.nameAr : c.nameEn} — ${money(c.totalMinor)} ${currency}${c.deferred ? ` (${t('billing.deferred')})` : ''}`}
                />
              ))}
            </Stack>
          </Checkbox.Group>
          <Title order={3} size="h4" aria-live="polite">
            {t('billing.pay.total', { amount: money(total), currency })}
          </Title>
          <MethodPicker id="pay-method-label" label={t('billing.pay.method')} value={method} onChange={setMethod} fullWidth />
          {method !== 'cash' && (
            <TextInput
              label={method === 'card' ? t('billing.pay.cardReference') : t('billing.pay.transferReference')}
              value={reference}
              onChange={(e) => setReference(e.currentTarget.value)}
              maxLength={60}
              required={method === 'card'}
              error={showErrors && errors.reference}
            />
          )}
          <Switch label={t('billing.pay.split')} checked={split} onChange={(e) => setSplit(e.currentTarget.checked)} />
          {split && (
            <Group grow align="flex-start" wrap="wrap">
              <div>
                <MethodPicker id="pay-second-method" label={t('billing.pay.secondMethod')} value={secondMethod} onChange={setSecondMethod} />
                {showErrors && errors.sameMethod && (
                  <Text size="xs" c="red" role="alert">
                    {errors.sameMethod}
                  </Text>
                )}
              </div>
              <TextInput
                label={t('billing.pay.secondAmount', { currency })}
                inputMode="decimal"
                value={secondAmount}
                onChange={(e) => setSecondAmount(e.currentTarget.value)}
                error={showErrors && errors.second}
                required
              />
              {secondMethod !== 'cash' && (
                <TextInput
                  label={secondMethod === 'card' ? t('billing.pay.cardReference') : t('billing.pay.transferReference')}
                  value={secondReference}
                  onChange={(e) => setSecondReference(e.currentTarget.value)}
                  maxLength={60}
                  error={showErrors && errors.secondReference}
                />
              )}
            </Group>
          )}
          {split && first !== null && first > 0 && (
            <Text size="sm">{t('billing.pay.firstPart', { method: methodLabel(method), amount: money(first), currency })}</Text>
          )}
          {cashPart !== null && (
            <TextInput
              label={t('billing.pay.tendered', { currency })}
              description={t('billing.pay.tenderedHint')}
              inputMode="decimal"
              value={tendered}
              onChange={(e) => setTendered(e.currentTarget.value)}
              error={showErrors && errors.tendered}
            />
          )}
          {change !== null && change > 0 && (
            <Text fw={700} aria-live="polite">
              {t('billing.pay.change', { amount: money(change), currency })}
            </Text>
          )}
          <FailureAlert message={failure} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={busy}>
              {t('billing.pay.submit', { amount: money(total), currency })}
            </Button>
          </Group>
        </Stack>
      </form>
    );
  }
  return (
    <Modal opened={opened} onClose={onClose} title={t('billing.pay.title', { name: patientName })} size="lg">
      {body}
    </Modal>
  );
}
