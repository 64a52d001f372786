export type { Column, ColumnType, ProjectedEvent, ReadModel } from './read-model.js';
export {
  ALLOCATION_STATUSES,
  allocationsReadModel,
  approvalBatchesReadModel,
  BACKLOG_TOTAL_SKU,
  backlogReadModel,
  backlogTotal,
  ORDER_STATUSES,
  ordersReadModel,
  readModels,
  type AllocationRow,
  type AllocationStatus,
  type ApprovalBatchRow,
  type BacklogRow,
  type BatchApproval,
  type OrderRow,
  type OrderStatus,
} from './read-models/index.js';
