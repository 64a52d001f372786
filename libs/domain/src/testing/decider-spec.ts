import { evolveApproval, initialApprovalState, type ApprovalState } from '../deciders/approval.decider.js';
import {
  evolveExportLicense,
  initialExportLicenseState,
  type ExportLicenseState,
} from '../deciders/export-license.decider.js';
import { evolveFirm, initialFirmState, type FirmState } from '../deciders/firm.decider.js';
import { evolveIdClaim, initialIdClaim, type IdClaim } from '../deciders/id-claim.js';
import { evolveOrder, initialOrderState, type OrderState } from '../deciders/order.decider.js';
import { evolveProduct, initialProductState, type ProductState } from '../deciders/product.decider.js';
import { evolveShipment, initialShipmentState, type ShipmentState } from '../deciders/shipment.decider.js';
import { DomainError, type ErrorCode } from '../errors.js';
import type { LedgerEvent } from '../events.js';
import {
  approvalStream,
  firmStream,
  licenseStream,
  orderStream,
  productStream,
  purchaseStream,
  shipmentStream,
  streamsOf,
  supplyStream,
} from '../streams.js';

/**
 * The state of any stream, folded from the events `streamsOf` puts in it: a decision sees exactly what
 * it would read from the store, so the specs also prove the stream mapping gives each decider its facts.
 */
export type History = {
  product(sku: string): ProductState;
  firm(firmId: string): FirmState;
  order(orderId: string): OrderState;
  approval(approvalId: string): ApprovalState;
  license(licenseId: string): ExportLicenseState;
  shipment(shipmentId: string): ShipmentState;
  purchase(purchaseId: string): IdClaim;
  supply(supplyId: string): IdClaim;
};

export function historyOf(events: readonly LedgerEvent[]): History {
  const fold = <State>(
    streamId: string,
    evolve: (state: State, event: LedgerEvent) => State,
    initial: State,
  ) => events.filter((event) => streamsOf(event).includes(streamId)).reduce(evolve, initial);
  return {
    product: (sku) => fold(productStream(sku), evolveProduct, initialProductState),
    firm: (firmId) => fold(firmStream(firmId), evolveFirm, initialFirmState),
    order: (orderId) => fold(orderStream(orderId), evolveOrder, initialOrderState),
    approval: (approvalId) => fold(approvalStream(approvalId), evolveApproval, initialApprovalState),
    license: (licenseId) => fold(licenseStream(licenseId), evolveExportLicense, initialExportLicenseState),
    shipment: (shipmentId) => fold(shipmentStream(shipmentId), evolveShipment, initialShipmentState),
    purchase: (purchaseId) => fold(purchaseStream(purchaseId), evolveIdClaim, initialIdClaim),
    supply: (supplyId) => fold(supplyStream(supplyId), evolveIdClaim, initialIdClaim),
  };
}

type Outcome = { event: LedgerEvent; error?: never } | { event?: never; error: DomainError };

/** `given(...events).when((history) => decide(...)).then(event)` or `.thenThrows(code)`. */
export function given(...events: LedgerEvent[]) {
  return {
    when(decision: (history: History) => LedgerEvent) {
      const attempt = (): Outcome => {
        try {
          return { event: decision(historyOf(events)) };
        } catch (error) {
          if (error instanceof DomainError) return { error };
          throw error;
        }
      };
      return {
        then(expected: LedgerEvent): void {
          const { event, error } = attempt();
          // Strict: an event is stored as JSON, where a key set to undefined and a missing key differ.
          expect({ event, refused: error?.code }).toStrictEqual({ event: expected, refused: undefined });
        },
        /** Returns the refusal, for a look at its details. */
        thenThrows(code: ErrorCode): DomainError {
          const { event, error } = attempt();
          expect({ event, refused: error?.code }).toEqual({ event: undefined, refused: code });
          return error as DomainError;
        },
      };
    },
  };
}
