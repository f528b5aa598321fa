import { useState } from 'react';
import { Anchor, Badge, Button, Group, Menu, Paper, SimpleGrid, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { IconCash, IconDots, IconDownload, IconSearch } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatMinor, type CashierDay } from '../../../common/billing.ts';
import { useCan, useMe } from '../../auth/session.tsx';
import { Empty, LoadError, Loading } from '../../ui/ListState.tsx';
import { notifySuccess } from '../../ui/notify.ts';
import { ReasonDialog } from '../../ui/ReasonDialog.tsx';
import { dateIn, formatDateTime, isRealDate } from '../../ui/time.ts';
import { settleCharge, useCashierDay, useInvoices } from './billingApi.ts';
import { InvoiceDialog } from './InvoiceDialog.tsx';
import { PaymentDialog } from './PaymentDialog.tsx';

type OpenCharge = CashierDay['openCharges'][number];
type Settle = { charge: OpenCharge; how: 'waive' | 'defer' | 'cancel' };

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={800} size="xl" className="mono">
        {value}
      </Text>
    </Paper>
  );
}

function CashierDayPanel() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const can = useCan();
  const client = useQueryClient();
  const [date, setDate] = useState(() => dateIn(me.timeZone));
  const day = useCashierDay(date);
  const [paying, setPaying] = useState<OpenCharge | null>(null);
  const [settle, setSettle] = useState<Settle | null>(null);

  const controls = (
    <Group align="flex-end" wrap="wrap">
      <TextInput type="date" label={t('billing.day.date')} value={date} onChange={(e) => isRealDate(e.currentTarget.value) && setDate(e.currentTarget.value)} />
      <Anchor href={`/api/billing/day.csv?date=${date}`} download>
        <Group gap={4}>
          <IconDownload size={16} aria-hidden />
          {t('billing.day.csv')}
        </Group>
      </Anchor>
    </Group>
  );
  if (day.isPending) return <Stack>{controls}<Loading /></Stack>;
  if (day.isError) return <Stack>{controls}<LoadError error={day.error} onRetry={() => void day.refetch()} /></Stack>;
  const d = day.data;
  const money = (minor: number) => `${formatMinor(minor, d.currency)} ${d.currency}`;
  return (
    <Stack>
      {controls}
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Figure label={t('billing.day.received')} value={money(d.totals.receivedMinor)} />
        <Figure label={t('billing.day.refunded')} value={money(d.totals.refundedMinor)} />
        <Figure label={t('billing.day.net')} value={money(d.totals.netMinor)} />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper withBorder radius="md" p="sm" component="section" aria-labelledby="day-methods">
          <Title order={2} size="h5" id="day-methods" mb="xs">
            {t('billing.day.byMethod')}
          </Title>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('billing.pay.method')}</Table.Th>
                <Table.Th ta="end">{t('billing.day.received')}</Table.Th>
                <Table.Th ta="end">{t('billing.day.refunded')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.byMethod.map((m) => (
                <Table.Tr key={m.method}>
                  <Table.Td>{t(`billing.methods.${m.method}`)}</Table.Td>
                  <Table.Td ta="end" className="mono">
                    {formatMinor(m.receivedMinor, d.currency)}
                  </Table.Td>
                  <Table.Td ta="end" className="mono">
                    {formatMinor(m.refundedMinor, d.currency)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
        <Paper withBorder radius="md" p="sm" component="section" aria-labelledby="day-staff">
          <Title order={2} size="h5" id="day-staff" mb="xs">
            {t('billing.day.byStaff')}
          </Title>
          {d.byStaff.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('billing.day.noMoney')}
            </Text>
          ) : (
            <Table>
              <Table.Tbody>
                {d.byStaff.map((s) => (
                  <Table.Tr key={s.userId}>
                    <Table.Td>{s.name}</Table.Td>
                    <Table.Td>{t('billing.day.payments', { n: s.payments })}</Table.Td>
                    <Table.Td ta="end" className="mono">
                      {formatMinor(s.receivedMinor - s.refundedMinor, d.currency)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Paper>
      </SimpleGrid>
      <Paper withBorder radius="md" component="section" aria-labelledby="day-open">
        <Group px="sm" py="xs" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          <Title order={2} size="h5" id="day-open">
            {t('billing.day.open')}
          </Title>
          <Badge variant="light" color="gray">
            {d.openCharges.length}
          </Badge>
        </Group>
        {d.openCharges.length === 0 ? (
          <Text size="sm" c="dimmed" px="sm" py="sm">
            {t('billing.day.noOpen')}
          </Text>
        ) : (
          <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
            {d.openCharges.map((c) => (
              <li key={c.id} className="row-card">
                <Group justify="space-between" px="sm" py="xs" wrap="wrap" gap="xs">
                  <Stack gap={0} style={{ minWidth: 0 }}>
                    <Text fw={600}>
                      {c.patientName} · <span className="mono">{c.patientMrn}</span>
                    </Text>
                    <Text size="xs" c="dimmed">
                      {i18n.language === 'ar' ? c.nameAr : c.nameEn} · {formatDateTime(c.createdAt, me.timeZone, i18n.language)}
                    </Text>
                  </Stack>
                  <Group gap="xs">
                    {c.deferred && (
                      <Badge color="orange" variant="light">
                        {t('billing.deferred')}
                      </Badge>
                    )}
                    <Text fw={700} className="mono">
                      {money(c.totalMinor)}
                    </Text>
                    {can('billing.collect') && (
                      <Button size="xs" leftSection={<IconCash size={14} aria-hidden />} onClick={() => setPaying(c)} aria-label={t('billing.takePaymentFrom', { name: c.patientName })}>
                        {t('billing.takePayment')}
                      </Button>
                    )}
                    {can('billing.waive') && (
                      <Menu position="bottom-end" withinPortal>
                        <Menu.Target>
                          <Button size="xs" variant="default" rightSection={<IconDots size={14} aria-hidden />} aria-label={t('billing.chargeActionsFor', { name: c.patientName })}>
                            {t('board.actions')}
                          </Button>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Item onClick={() => setSettle({ charge: c, how: 'waive' })}>{t('billing.settle.waive')}</Menu.Item>
                          {!c.deferred && <Menu.Item onClick={() => setSettle({ charge: c, how: 'defer' })}>{t('billing.settle.defer')}</Menu.Item>}
                          <Menu.Item color="red" onClick={() => setSettle({ charge: c, how: 'cancel' })}>
                            {t('billing.settle.cancel')}
                          </Menu.Item>
                        </Menu.Dropdown>
                      </Menu>
                    )}
                  </Group>
                </Group>
              </li>
            ))}
          </ul>
        )}
      </Paper>
      <PaymentDialog opened={paying !== null} onClose={() => setPaying(null)} patientId={paying?.patientId ?? null} patientName={paying?.patientName ?? ''} />
      <ReasonDialog
        opened={settle !== null}
        onClose={() => setSettle(null)}
        title={settle ? t(`billing.settle.${settle.how}Title`, { name: settle.charge.patientName }) : ''}
        description={settle ? t('billing.settle.hint') : undefined}
        confirmLabel={settle ? t(`billing.settle.${settle.how}`) : ''}
        reasonRequired
        onConfirm={async (reason) => {
          if (!settle) return;
          await settleCharge(settle.charge.id, settle.how, reason, settle.charge.version);
          void client.invalidateQueries({ queryKey: ['billing'] });
          void client.invalidateQueries({ queryKey: ['visits'] });
          notifySuccess(t(`billing.settle.${settle.how}Done`));
        }}
      />
    </Stack>
  );
}

function InvoicesPanel() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const [text, setText] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const invoices = useInvoices({ q: text.trim() || undefined, from: isRealDate(from) ? from : undefined, to: isRealDate(to) ? to : undefined });
  let list: React.ReactNode;
  if (invoices.isPending) list = <Loading />;
  else if (invoices.isError) list = <LoadError error={invoices.error} onRetry={() => void invoices.refetch()} />;
  else if (invoices.data.items.length === 0) list = <Empty title={t('billing.invoices.empty')} description={t('billing.invoices.emptyHint')} />;
  else {
    const currency = invoices.data.currency;
    list = (
      <Paper withBorder radius="md">
        <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {invoices.data.items.map((inv) => (
            <li key={inv.id} className="row-card">
              <Group justify="space-between" px="sm" py="xs" wrap="wrap" gap="xs">
                <Stack gap={0}>
                  <Anchor component="button" type="button" fw={700} className="mono" onClick={() => setOpen(inv.id)}>
                    {inv.number}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {inv.patientName} · <span className="mono">{inv.patientMrn}</span> · {formatDateTime(inv.issuedAt, me.timeZone, i18n.language)}
                  </Text>
                </Stack>
                <Group gap="xs">
                  {inv.refundedMinor > 0 && (
                    <Badge color="orange" variant="light">
                      {t('billing.partlyRefunded', { amount: formatMinor(inv.refundedMinor, currency) })}
                    </Badge>
                  )}
                  <Text fw={700} className="mono">
                    {formatMinor(inv.totalMinor, currency)} {currency}
                  </Text>
                </Group>
              </Group>
            </li>
          ))}
        </ul>
      </Paper>
    );
  }
  return (
    <Stack>
      <Group align="flex-end" wrap="wrap">
        <TextInput
          type="search"
          label={t('billing.invoices.search')}
          placeholder={t('billing.invoices.searchHint')}
          leftSection={<IconSearch size={16} aria-hidden />}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          maxLength={100}
          style={{ flex: '1 1 220px' }}
        />
        <TextInput type="date" label={t('billing.invoices.from')} value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        <TextInput type="date" label={t('billing.invoices.to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} />
      </Group>
      {list}
      <InvoiceDialog invoiceId={open} onClose={() => setOpen(null)} />
    </Stack>
  );
}

/** The front desk's money: today's takings and open charges, and every invoice on file. */
export function BillingPage() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<string | null>('day');
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('billing.title')}
      </Title>
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="day">{t('billing.day.title')}</Tabs.Tab>
          <Tabs.Tab value="invoices">{t('billing.invoices.title')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="day" pt="md">
          <CashierDayPanel />
        </Tabs.Panel>
        <Tabs.Panel value="invoices" pt="md">
          <InvoicesPanel />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
