import { Anchor, Group, SegmentedControl, Text } from '@mantine/core';
import { IconFileInvoice } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { PAYMENT_METHODS, type PaymentMethod } from '../../../common/billing.ts';
import { invoicePdfUrl } from './billingApi.ts';

/** The invoice's PDF in each language, opened in a new tab to view, print or save. */
export function InvoicePdfLinks({ invoiceId }: { invoiceId: string }) {
  const { t } = useTranslation();
  return (
    <Group gap="sm">
      {(['en', 'ar'] as const).map((language) => (
        <Anchor key={language} href={invoicePdfUrl(invoiceId, language)} target="_blank" rel="noopener">
          <Group gap={4}>
            <IconFileInvoice size={16} aria-hidden />
            {t(language === 'en' ? 'billing.invoicePdfEnglish' : 'billing.invoicePdfArabic')}
          </Group>
        </Anchor>
      ))}
    </Group>
  );
}

/** Cash, card or bank transfer, as one labelled row of buttons. */
export function MethodPicker({ id, label, value, onChange, fullWidth }: { id: string; label: string; value: PaymentMethod; onChange(method: PaymentMethod): void; fullWidth?: boolean }) {
  const { t } = useTranslation();
  return (
    <div>
      <Text size="sm" fw={500} id={id} mb={4}>
        {label}
      </Text>
      <SegmentedControl
        aria-labelledby={id}
        value={value}
        onChange={(v) => onChange(v as PaymentMethod)}
        data={PAYMENT_METHODS.map((m) => ({ value: m, label: t(`billing.methods.${m}`) }))}
        fullWidth={fullWidth}
      />
    </div>
  );
}
