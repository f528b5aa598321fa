import { useEffect, useState } from 'react';
import { Badge, Button, Group, Modal, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatMinor, parseMinor, type Invoice, type PaymentMethod } from '../../../common/billing.ts';
import { useCan, useMe } from '../../auth/session.tsx';
import { useErrorMessage } from '../../ui/errors.ts';
import { FailureAlert, LoadError, Loading } from '../../ui/ListState.tsx';
import { notifySuccess } from '../../ui/notify.ts';
import { formatDateTime } from '../../ui/time.ts';
import { newIdempotencyKey, refund, useInvoice } from './billingApi.ts';
import { InvoicePdfLinks, MethodPicker } from './BillingParts.tsx';

/** Refund of all or part of an invoice's lines, as a credit note. */
function RefundForm({ invoice, onDone }: { invoice: Invoice; onDone(): void }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const message = useErrorMessage();
  const currency = invoice.currency;
  const refundedOf = (chargeId: string) =>
    invoice.creditNotes.flatMap((n) => n.lines).filter((l) => l.chargeId === chargeId).reduce((sum, l) => sum + l.amountMinor, 0);
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const [method, setMethod] = useState<PaymentMethod>('cash');
  const [reason, setReason] = useState('');
  const [key] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [showErrors, setShowErrors] = useState(false);

  const lines = invoice.snapshot.lines.map((line) => {
    const left = line.totalMinor - refundedOf(line.chargeId);
    const text = amounts[line.chargeId] ?? '';
    const value = text.trim() ? parseMinor(text, currency) : 0;
    const error = value === null || (value ?? 0) > left ? t('billing.refund.tooMuch', { amount: formatMinor(left, currency) }) : null;
    return { line, left, text, value, error };
  });
  const chosen = lines.filter((l) => l.value && l.value > 0);
  const reasonError = reason.trim().length < 3 ? t('validation.reasonRequired') : null;
  const valid = chosen.length > 0 && lines.every((l) => !l.error) && !reasonError;

  async function submit() {
    setShowErrors(true);
    if (!valid) return;
    setBusy(true);
    setFailure(null);
    try {
      await refund(invoice.id, { idempotencyKey: key, method, reason: reason.trim(), lines: chosen.map((l) => ({ chargeId: l.line.chargeId, amountMinor: l.value! })) });
      void client.invalidateQueries({ queryKey: ['billing'] });
      notifySuccess(t('billing.refund.done'));
      onDone();
    } catch (error) {
      setFailure(message(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      noValidate
    >
      <Stack gap="sm">
        <Title order={3} size="h5">
          {t('billing.refund.title')}
        </Title>
        {lines.map(({ line, left, text, error }) => (
          <TextInput
            key={line.chargeId}
            label={`${i18n.language === 'ar' ? line.nameAr : line.nameEn} (${t('billing.refund.left', { amount: formatMinor(left, currency), currency })})`}
            inputMode="decimal"
            value={text}
            disabled={left === 0}
            onChange={(e) => setAmounts({ ...amounts, [line.chargeId]: e.currentTarget.value })}
            error={showErrors && error}
          />
        ))}
        {showErrors && chosen.length === 0 && (
          <Text size="sm" c="red" role="alert">
            {t('billing.refund.chooseAmount')}
          </Text>
        )}
        <MethodPicker id="refund-method" label={t('billing.refund.method')} value={method} onChange={setMethod} />
        <Textarea label={t('billing.refund.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={500} required error={showErrors && reasonError} autosize minRows={2} />
        <FailureAlert message={failure} />
        <Group justify="flex-end">
          <Button type="submit" color="red" loading={busy}>
            {t('billing.refund.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** One invoice as issued, its payment and refunds, with the PDF in either language. */
export function InvoiceDialog({ invoiceId, onClose }: { invoiceId: string | null; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const can = useCan();
  const invoice = useInvoice(invoiceId);
  const [refunding, setRefunding] = useState(false);
  useEffect(() => setRefunding(false), [invoiceId]);

  let body: React.ReactNode = null;
  if (invoice.isPending) body = <Loading />;
  else if (invoice.isError) body = <LoadError error={invoice.error} onRetry={() => void invoice.refetch()} />;
  else {
    const inv = invoice.data;
    const s = inv.snapshot;
    const money = (minor: number) => formatMinor(minor, inv.currency);
    const patientName = (i18n.language === 'ar' ? (s.patient.nameArabic ?? s.patient.nameLatin) : (s.patient.nameLatin ?? s.patient.nameArabic)) ?? '';
    body = (
      <Stack>
        <Group justify="space-between" wrap="wrap">
          <Stack gap={0}>
            <Text fw={700} className="mono">
              {inv.number}
            </Text>
            <Text size="sm" c="dimmed">
              {formatDateTime(inv.issuedAt, me.timeZone, i18n.language)} · {patientName} · <span className="mono">{s.patient.mrn}</span>
            </Text>
          </Stack>
          <InvoicePdfLinks invoiceId={inv.id} />
        </Group>
        <Table.ScrollContainer minWidth={360}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('billing.service')}</Table.Th>
                <Table.Th ta="end">{t('billing.tax')}</Table.Th>
                <Table.Th ta="end">{t('billing.total')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {s.lines.map((line) => (
                <Table.Tr key={line.chargeId}>
                  <Table.Td>{i18n.language === 'ar' ? line.nameAr : line.nameEn}</Table.Td>
                  <Table.Td ta="end" className="mono">
                    {money(line.taxMinor)}
                  </Table.Td>
                  <Table.Td ta="end" className="mono">
                    {money(line.totalMinor)}
                  </Table.Td>
                </Table.Tr>
              ))}
              <Table.Tr>
                <Table.Th colSpan={2}>{t('billing.total')}</Table.Th>
                <Table.Th ta="end" className="mono">
                  {money(s.totalMinor)} {inv.currency}
                </Table.Th>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Text size="sm">
          {s.payment.parts.map((p) => `${t(`billing.methods.${p.method}`)} ${money(p.amountMinor)}${p.reference ? ` (${p.reference})` : ''}`).join(' · ')} —{' '}
          {t('billing.receivedBy', { name: s.payment.receivedBy })}
        </Text>
        {inv.creditNotes.length > 0 && (
          <Stack gap={4}>
            <Title order={3} size="h5">
              {t('billing.refunds')}
            </Title>
            {inv.creditNotes.map((n) => (
              <Text key={n.id} size="sm">
                <span className="mono">{n.number}</span> · -{money(n.totalMinor)} · {t(`billing.methods.${n.method}`)} · {n.reason}
              </Text>
            ))}
          </Stack>
        )}
        {inv.refundedMinor > 0 && (
          <Badge color={inv.refundedMinor === inv.totalMinor ? 'red' : 'orange'} variant="light">
            {inv.refundedMinor === inv.totalMinor ? t('billing.fullyRefunded') : t('billing.partlyRefunded', { amount: money(inv.refundedMinor) })}
          </Badge>
        )}
        {can('billing.refund') && inv.refundedMinor < inv.totalMinor && (
          refunding ? (
            <RefundForm invoice={inv} onDone={() => setRefunding(false)} />
          ) : (
            <Group>
              <Button variant="light" color="red" onClick={() => setRefunding(true)}>
                {t('billing.refund.open')}
              </Button>
            </Group>
          )
        )}
      </Stack>
    );
  }
  return (
    <Modal opened={invoiceId !== null} onClose={onClose} title={t('billing.invoiceTitle')} size="lg">
      {body}
    </Modal>
  );
}
