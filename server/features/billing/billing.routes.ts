import { Type } from 'typebox';
import {
  CashierDay,
  Charge,
  ChargeList,
  ChargeReasonBody,
  DayQuery,
  Invoice,
  InvoiceList,
  InvoiceQuery,
  PaymentBody,
  PaymentResult,
  PrintQuery,
  RefundBody,
  Service,
  ServiceBody,
  ServiceUpdateBody,
} from '../../../common/billing.ts';
import { IdParams, Uuid } from '../../../common/schema.ts';
import { requireActor } from '../../http/guard.ts';
import { responses, type TypedApp } from '../../http/routes.ts';
import * as billing from './billing.service.ts';
import { cashierDay, cashierDayCsv } from './cashier.service.ts';

const ChargeQuery = Type.Object({ patientId: Type.Optional(Uuid), visitId: Type.Optional(Uuid) }, { additionalProperties: false });

export function billingRoutes(app: TypedApp, deps: billing.BillingDeps): void {
  app.get('/api/services', { config: { access: { permission: 'billing.read' } }, schema: { response: responses(200, Type.Object({ items: Type.Array(Service) })) } }, async (request) => ({
    items: await billing.listServices(deps, requireActor(request)),
  }));
  app.post(
    '/api/services',
    { config: { access: { permission: 'billing.prices' } }, schema: { body: ServiceBody, response: responses(201, Service) } },
    async (request, reply) => reply.status(201).send(await billing.createService(deps, requireActor(request), request.body)),
  );
  app.put(
    '/api/services/:id',
    { config: { access: { permission: 'billing.prices' } }, schema: { params: IdParams, body: ServiceUpdateBody, response: responses(200, Service) } },
    async (request) => billing.updateService(deps, requireActor(request), request.params.id, request.body),
  );

  app.get(
    '/api/charges',
    { config: { access: { permission: 'billing.read' } }, schema: { querystring: ChargeQuery, response: responses(200, ChargeList) } },
    async (request) => billing.listCharges(deps, requireActor(request), request.query),
  );
  for (const how of ['waive', 'defer', 'cancel'] as const) {
    app.post(
      `/api/charges/:id/${how}`,
      { config: { access: { permission: 'billing.waive' } }, schema: { params: IdParams, body: ChargeReasonBody, response: responses(200, Charge) } },
      async (request) => billing.settleCharge(deps, requireActor(request), request.params.id, how, request.body),
    );
  }

  app.post(
    '/api/payments',
    { config: { access: { permission: 'billing.collect' } }, schema: { body: PaymentBody, response: responses(201, PaymentResult) } },
    async (request, reply) => reply.status(201).send(await billing.pay(deps, requireActor(request), request.body)),
  );

  app.get(
    '/api/invoices',
    { config: { access: { permission: 'billing.read' } }, schema: { querystring: InvoiceQuery, response: responses(200, InvoiceList) } },
    async (request) => billing.listInvoices(deps, requireActor(request), request.query),
  );
  app.get(
    '/api/invoices/:id',
    { config: { access: { permission: 'billing.read' } }, schema: { params: IdParams, response: responses(200, Invoice) } },
    async (request) => billing.getInvoice(deps, requireActor(request), request.params.id),
  );
  app.get(
    '/api/invoices/:id/pdf',
    { config: { access: { permission: 'billing.read' } }, schema: { params: IdParams, querystring: PrintQuery } },
    async (request, reply) => {
      const { number, pdf } = await billing.invoicePdf(deps, requireActor(request), request.params.id, request.query.lang ?? 'en');
      return reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${number}.pdf"`).send(pdf);
    },
  );
  app.post(
    '/api/invoices/:id/refunds',
    { config: { access: { permission: 'billing.refund' } }, schema: { params: IdParams, body: RefundBody, response: responses(201, Invoice) } },
    async (request, reply) => reply.status(201).send(await billing.refund(deps, requireActor(request), request.params.id, request.body)),
  );

  app.get(
    '/api/billing/day',
    { config: { access: { permission: 'billing.read' } }, schema: { querystring: DayQuery, response: responses(200, CashierDay) } },
    async (request) => cashierDay(deps, requireActor(request), request.query.date),
  );
  app.get(
    '/api/billing/day.csv',
    { config: { access: { permission: 'billing.read' } }, schema: { querystring: DayQuery } },
    async (request, reply) => {
      const report = await cashierDay(deps, requireActor(request), request.query.date);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="cashier-${report.date}.csv"`)
        .send('\uFEFF' + cashierDayCsv(report));
    },
  );
}
