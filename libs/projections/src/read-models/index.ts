import type { ReadModel } from '../read-model.js';
import { allocationsReadModel } from './allocations.read-model.js';
import { approvalBatchesReadModel } from './approval-batches.read-model.js';
import { backlogReadModel } from './backlog.read-model.js';
import { ordersReadModel } from './orders.read-model.js';

export {
  ALLOCATION_STATUSES,
  allocationsReadModel,
  type AllocationRow,
  type AllocationStatus,
  type AllocationsState,
} from './allocations.read-model.js';
export {
  BACKLOG_TOTAL_SKU,
  backlogReadModel,
  backlogTotal,
  type BacklogRow,
  type BacklogState,
} from './backlog.read-model.js';
export {
  approvalBatchesReadModel,
  type ApprovalBatchRow,
  type ApprovalBatchesState,
  type BatchApproval,
} from './approval-batches.read-model.js';
export {
  ORDER_STATUSES,
  ordersReadModel,
  type OrderRow,
  type OrderStatus,
  type OrdersState,
} from './orders.read-model.js';

/** Every read model of PRODUCT.md, in the order the API lists them. */
export const readModels: readonly ReadModel[] = [
  allocationsReadModel,
  backlogReadModel,
  approvalBatchesReadModel,
  ordersReadModel,
];
