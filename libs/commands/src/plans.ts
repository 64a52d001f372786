import {
  approvalStream,
  decideBlockImports,
  decideCancelOrder,
  decideDeliverShipment,
  decideGrantApproval,
  decideGrantExportLicense,
  decidePlaceOrder,
  decideRecordDomesticPurchase,
  decideRecordSupply,
  decideRegisterFirm,
  decideRegisterProduct,
  decideReleaseShipment,
  decideRevokeApproval,
  decideRevokeExportLicense,
  decideSetPairingRatio,
  decideUnblockImports,
  firmStream,
  initialFirmState,
  initialProductState,
  licenseStream,
  orderStream,
  productStream,
  purchaseStream,
  shipmentStream,
  supplyStream,
  type CommandOf,
  type LedgerCommandType,
  type LedgerEvent,
} from '@ledger/domain';
import {
  approvalFold,
  firmFold,
  idClaimFold,
  licenseFold,
  orderFold,
  productFold,
  shipmentFold,
  type Fold,
} from './folds.js';

/** Reads a stream's state for a decision; the executor remembers the version it was read at. */
export type Load = <State>(streamId: string, fold: Fold<State>) => Promise<State>;

/** Which streams a command reads, in order (later reads may depend on earlier ones), and its decision. */
export type Plan<Type extends LedgerCommandType> = (
  command: CommandOf<Type>,
  load: Load,
  now: Date,
) => Promise<LedgerEvent>;

type Plans = { [Type in LedgerCommandType]: Plan<Type> };

export const plans: Plans = {
  RegisterProduct: async (command, load) =>
    decideRegisterProduct(command, await load(productStream(command.data.sku), productFold)),

  RegisterFirm: async (command, load) =>
    decideRegisterFirm(command, await load(firmStream(command.data.firmId), firmFold)),

  PlaceOrder: async (command, load) =>
    decidePlaceOrder(
      command,
      await load(orderStream(command.data.orderId), orderFold),
      await load(firmStream(command.data.firmId), firmFold),
      await load(productStream(command.data.sku), productFold),
    ),

  CancelOrder: async (command, load) =>
    decideCancelOrder(command, await load(orderStream(command.data.orderId), orderFold)),

  GrantExportLicense: async (command, load) =>
    decideGrantExportLicense(
      command,
      await load(licenseStream(command.data.licenseId), licenseFold),
      await load(productStream(command.data.sku), productFold),
    ),

  RevokeExportLicense: async (command, load) =>
    decideRevokeExportLicense(command, await load(licenseStream(command.data.licenseId), licenseFold)),

  BlockImports: async (command, load) =>
    decideBlockImports(command, await load(productStream(command.data.sku), productFold)),

  UnblockImports: async (command, load) =>
    decideUnblockImports(command, await load(productStream(command.data.sku), productFold)),

  SetPairingRatio: async (command, load) =>
    decideSetPairingRatio(command, await load(productStream(command.data.sku), productFold)),

  GrantApproval: async (command, load) =>
    decideGrantApproval(
      command,
      await load(approvalStream(command.data.approvalId), approvalFold),
      await load(firmStream(command.data.firmId), firmFold),
      await load(productStream(command.data.sku), productFold),
    ),

  RevokeApproval: async (command, load) => {
    const approval = await load(approvalStream(command.data.approvalId), approvalFold);
    const product =
      approval.status === 'none' ? initialProductState : await load(productStream(approval.sku), productFold);
    return decideRevokeApproval(command, approval, product);
  },

  RecordDomesticPurchase: async (command, load) =>
    decideRecordDomesticPurchase(
      command,
      await load(purchaseStream(command.data.purchaseId), idClaimFold),
      await load(firmStream(command.data.firmId), firmFold),
      await load(productStream(command.data.sku), productFold),
    ),

  RecordSupply: async (command, load) =>
    decideRecordSupply(
      command,
      await load(supplyStream(command.data.supplyId), idClaimFold),
      await load(productStream(command.data.sku), productFold),
    ),

  ReleaseShipment: async (command, load, now) => {
    const shipment = await load(shipmentStream(command.data.shipmentId), shipmentFold);
    const order = await load(orderStream(command.data.orderId), orderFold);
    const placed = order.status === 'none' ? null : order;
    const product = placed ? await load(productStream(placed.sku), productFold) : initialProductState;
    const firm = placed ? await load(firmStream(placed.firmId), firmFold) : initialFirmState;
    return decideReleaseShipment(command, shipment, order, product, firm, now);
  },

  DeliverShipment: async (command, load) =>
    decideDeliverShipment(command, await load(shipmentStream(command.data.shipmentId), shipmentFold)),
};
