export type { Column, ColumnType, ProjectedEvent, ReadModel } from './read-model.js';
export {
  catalog,
  rebuildProgress,
  ProjectionNotFoundError,
  RebuildInProgressError,
  type CatalogEntry,
  type RebuildProgress,
  type RebuildReport,
} from './projector/catalog.js';
export { Fold, foldRecordedBy, foldThrough, projected, type ReplayOptions } from './projector/fold.js';
export {
  InvalidCursorError,
  ModelTable,
  pageRows,
  rowsChecksum,
  type Queryable,
  type RowPage,
  type RowQuery,
} from './projector/projection-tables.js';
export {
  Projector,
  type ProjectorLogger,
  type ProjectorOptions,
  type ProjectorState,
  type ProjectorStatus,
} from './projector/projector.js';
export { snapshots, type Snapshot } from './projector/snapshots.js';
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
export {
  PositionBeyondLedgerError,
  PositionNotReachedError,
  ProjectionReader,
  UnknownProjectionError,
  type ProjectionReaderOptions,
  type ReadPoint,
  type ReadResult,
} from './reader.js';
export { projectedEntry, replay, type ReplayPoint, type ReplayResult } from './replay.js';
