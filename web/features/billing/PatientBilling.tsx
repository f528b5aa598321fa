import { useState } from 'react';
import { Anchor, Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatMinor, type ChargeStatus } from '../../../common/billing.ts';
import { useMe } from '../../auth/session.tsx';
import { Empty, LoadError, Loading } from '../../ui/ListState.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { useCharges } from './billingApi.ts';
import { InvoiceDialog } from './InvoiceDialog.tsx';

const STATUS_COLORS: Record<ChargeStatus, string> = { pending: 'yellow', paid: 'teal', waived: 'blue', cancelled: 'gray', refunded: 'red' };

/** Everything a patient was charged, how each charge was settled (with waiver reasons), and its invoice. */
export function PatientBilling({ patientId }: { patientId: string }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const charges = useCharges(patientId);
  const [invoiceId, setInvoiceId] = useState<string | null>(null);
  if (charges.isPending) return <Loading />;
  if (charges.isError) return <LoadError error={charges.error} onRetry={() => void charges.refetch()} />;
  if (charges.data.items.length === 0) return <Empty title={t('billing.patient.empty')} />;
  const currency = charges.data.currency;
  return (
    <Paper withBorder radius="md" component="section" aria-labelledby="patient-charges">
      <Title order={2} size="h5" id="patient-charges" px="sm" py="xs" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        {t('billing.patient.title')}
      </Title>
      <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {charges.data.items.map((c) => (
          <li key={c.id} className="row-card">
            <Group justify="space-between" px="sm" py="xs" wrap="wrap" gap="xs">
              <Stack gap={0} style={{ minWidth: 0 }}>
                <Text fw={600}>{i18n.language === 'ar' ? c.nameAr : c.nameEn}</Text>
                <Text size="xs" c="dimmed">
                  {formatDateTime(c.createdAt, me.timeZone, i18n.language)}
                  {c.note && ` · ${c.note}`}
                </Text>
              </Stack>
              <Group gap="xs">
                <Badge color={STATUS_COLORS[c.status]} variant="light">
                  {t(`billing.chargeStatus.${c.status}`)}
                  {c.deferred && ` · ${t('billing.deferred')}`}
                </Badge>
                {c.refundedMinor > 0 && c.status !== 'refunded' && (
                  <Badge color="orange" variant="light">
                    {t('billing.partlyRefunded', { amount: formatMinor(c.refundedMinor, currency) })}
                  </Badge>
                )}
                {c.invoiceId && (
                  <Anchor component="button" type="button" className="mono" onClick={() => setInvoiceId(c.invoiceId)}>
                    {c.invoiceNumber}
                  </Anchor>
                )}
                <Text fw={700} className="mono">
                  {formatMinor(c.totalMinor, currency)} {currency}
                </Text>
              </Group>
            </Group>
          </li>
        ))}
      </ul>
      <InvoiceDialog invoiceId={invoiceId} onClose={() => setInvoiceId(null)} />
    </Paper>
  );
}
