import { useQuery } from '@tanstack/react-query';
import type {
  CashierDay,
  Charge,
  Invoice,
  InvoiceSummary,
  PaymentBody,
  PaymentResult,
  RefundBody,
  Service,
  ServiceBody,
  ServiceUpdateBody,
} from '../../../common/billing.ts';
import { api, query } from '../../api/client.ts';

export function useCharges(patientId: string | null) {
  return useQuery({
    queryKey: ['billing', 'charges', patientId],
    queryFn: () => api<{ currency: string; items: Charge[] }>('GET', `/api/charges${query({ patientId })}`),
    enabled: patientId !== null,
  });
}

export function useServices() {
  return useQuery({ queryKey: ['billing', 'services'], queryFn: () => api<{ items: Service[] }>('GET', '/api/services') });
}

export function useInvoices(filter: { q?: string; from?: string; to?: string; patientId?: string }) {
  return useQuery({
    queryKey: ['billing', 'invoices', filter],
    queryFn: () => api<{ currency: string; items: InvoiceSummary[] }>('GET', `/api/invoices${query(filter)}`),
  });
}

export function useInvoice(id: string | null) {
  return useQuery({ queryKey: ['billing', 'invoice', id], queryFn: () => api<Invoice>('GET', `/api/invoices/${id}`), enabled: id !== null });
}

export function useCashierDay(date: string) {
  return useQuery({ queryKey: ['billing', 'day', date], queryFn: () => api<CashierDay>('GET', `/api/billing/day${query({ date })}`) });
}

export const pay = (body: PaymentBody) => api<PaymentResult>('POST', '/api/payments', body);
export const refund = (invoiceId: string, body: RefundBody) => api<Invoice>('POST', `/api/invoices/${invoiceId}/refunds`, body);
export const settleCharge = (id: string, how: 'waive' | 'defer' | 'cancel', reason: string, version: number) =>
  api<Charge>('POST', `/api/charges/${id}/${how}`, { reason, version });
export const createService = (body: ServiceBody) => api<Service>('POST', '/api/services', body);
export const updateService = (id: string, body: ServiceUpdateBody) => api<Service>('PUT', `/api/services/${id}`, body);

/** The PDF address of an invoice, in a language: opened in a new tab to view, print or save. */
export const invoicePdfUrl = (id: string, language: 'en' | 'ar') => `/api/invoices/${id}/pdf?lang=${language}`;

/** One key per payment attempt: a double click or a retry sends the same key, so the money is taken once. */
export function newIdempotencyKey(): string {
  // getRandomValues works on plain-HTTP addresses too, where randomUUID does not exist.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `ui-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
