import type { LedgerEvent as DomainEvent } from '@ledger/domain';
import type { EventMetadata, NewEvent } from '@ledger/event-store';

const FOREIGN = ['H200', 'H20', 'B30A'];
const DOMESTIC = 'ASCEND-910C';
const FIRMS = 1_000;
const BATCHES = 50;

const metadata: EventMetadata = {
  actor: 'bench',
  role: 'admin',
  correlationId: '00000000-0000-4000-8000-000000000000',
  causationId: '00000000-0000-4000-8000-000000000000',
  commandId: '00000000-0000-4000-8000-000000000000',
};

const firmId = (index: number) => `firm-${String(index).padStart(4, '0')}`;

/**
 * A busy country's ledger, as the read models see it: products, a thousand firms, licences, then cycles
 * of an order, its approval (once per firm and sku), supply, a domestic purchase, three shipments drawn
 * from the approval and their deliveries, and now and then a cancellation. About ten events per order.
 * Built directly, not decided: quantities stay consistent, so every read model does real work.
 */
export function* domainLedger(total: number): Generator<DomainEvent> {
  let emitted = 0;
  const emit = function* (event: DomainEvent): Generator<DomainEvent> {
    if (emitted < total) {
      emitted += 1;
      yield event;
    }
  };
  for (const sku of FOREIGN) {
    yield* emit({ type: 'ProductRegistered', data: { sku, name: sku, vendor: 'Nvidia', origin: 'foreign' } });
    yield* emit({
      type: 'ExportLicenseGranted',
      data: { licenseId: `us-${sku}`, sku, vendor: 'Nvidia', destination: 'CN' },
    });
    yield* emit({ type: 'PairingRatioSet', data: { sku, domesticPerUnit: 0.1 } });
  }
  yield* emit({
    type: 'ProductRegistered',
    data: { sku: DOMESTIC, name: DOMESTIC, vendor: 'Huawei', origin: 'domestic' },
  });
  for (let f = 0; f < FIRMS; f++) {
    yield* emit({ type: 'FirmRegistered', data: { firmId: firmId(f), name: firmId(f), jurisdiction: 'CN' } });
  }
  const approved = new Set<string>();
  for (let cycle = 0; emitted < total; cycle++) {
    const firm = firmId(cycle % FIRMS);
    const sku = FOREIGN[cycle % FOREIGN.length]!;
    const orderId = `o-${cycle}`;
    const approvalId = `a-${firm}-${sku}`;
    yield* emit({ type: 'OrderPlaced', data: { orderId, firmId: firm, sku, quantity: 10_000 } });
    if (!approved.has(approvalId)) {
      approved.add(approvalId);
      yield* emit({
        type: 'ApprovalGranted',
        data: { approvalId, batchId: `batch-${cycle % BATCHES}`, firmId: firm, sku, quota: 10_000_000 },
      });
    }
    if (cycle % 10 === 0) {
      yield* emit({ type: 'SupplyRecorded', data: { supplyId: `sup-${cycle}`, sku, quantity: 100_000 } });
    }
    yield* emit({
      type: 'DomesticPurchaseRecorded',
      data: { purchaseId: `p-${cycle}`, firmId: firm, sku: DOMESTIC, quantity: 1_000 },
    });
    for (let s = 0; s < 3; s++) {
      const shipmentId = `s-${cycle}-${s}`;
      yield* emit({
        type: 'ShipmentReleased',
        data: {
          shipmentId,
          orderId,
          firmId: firm,
          sku,
          quantity: 1_000,
          drawnFrom: [{ approvalId, quantity: 1_000 }],
        },
      });
      yield* emit({ type: 'ShipmentDelivered', data: { shipmentId, orderId } });
    }
    if (cycle % 20 === 0) {
      yield* emit({
        type: 'OrderCancelled',
        data: { orderId, reason: 'bench', cancelledQuantity: 7_000 },
      });
    }
  }
}

/** The same events as appends of `size` events each, in ledger order, for writers to claim in turn. */
export function* domainAppends(total: number, size: number): Generator<NewEvent[]> {
  let chunk: NewEvent[] = [];
  for (const event of domainLedger(total)) {
    chunk.push({ type: event.type, data: event.data, metadata });
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
