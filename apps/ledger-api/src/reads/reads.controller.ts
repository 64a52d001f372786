import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { JsonObject } from '@ledger/event-store';
import { BACKLOG_TOTAL_SKU, backlogTotal, type BacklogRow, ProjectionReader } from '@ledger/projections';
import { problem, ProblemError } from '../http/problem-details.js';
import { idParam } from '../http/validators.js';
import { readPointOf, rowQueryOf } from './read-point.js';
import {
  AllocationsQueryDto,
  ApprovalBatchesQueryDto,
  BacklogQueryDto,
  OrdersQueryDto,
  ReadOneQueryDto,
} from './reads.dto.js';
import { ReadModelRead } from './reads.openapi.js';

const READERS = ['service', 'auditor', 'admin'] as const;

const LIST_DESCRIPTION =
  'Answers `{ position, items, next }`: `position` is the ledger position the rows reflect (every entry up to it, ' +
  'none after). Pass `next` as `after` for the next page. `minPosition` waits (bounded) for the read model to ' +
  'reach a position, so passing the position a command returned always shows that write; `atPosition` or ' +
  '`asOf` answer with the state at that point of the ledger, exactly as the live read model showed it then.';

const example = (items: JsonObject[]) => ({
  schema: { example: { position: 1234, items, next: null } },
});

@Controller('v1')
@ReadModelRead('read models', ...READERS)
export class ReadsController {
  constructor(private readonly reader: ProjectionReader) {}

  @Get('allocations')
  @ApiOperation({
    summary: 'Per firm and sku: ordered, shipped, backlog, quota, pairing, status',
    description: LIST_DESCRIPTION,
  })
  @ApiOkResponse(
    example([
      {
        firmId: 'bytedance',
        sku: 'H200',
        ordered: 600000,
        cancelled: 0,
        shipped: 120000,
        backlog: 480000,
        approvedQuota: 200000,
        remainingQuota: 80000,
        unapprovedBacklog: 400000,
        domesticPurchased: 60000,
        domesticRequired: 60000,
        status: 'approved',
      },
    ]),
  )
  allocations(@Query() query: AllocationsQueryDto) {
    return this.reader.read(
      'allocations',
      rowQueryOf(query, { firmId: query.firmId, sku: query.sku }),
      readPointOf(query),
    );
  }

  @Get('backlog')
  @ApiOperation({
    summary: 'Per sku and in total: ordered, shipped, backlog, quota, supply, blocks and licences',
    description: `${LIST_DESCRIPTION} Also answers \`total\`: the sum over every sku (sku "${BACKLOG_TOTAL_SKU}"), whatever the filter.`,
  })
  async backlog(@Query() query: BacklogQueryDto) {
    // A handful of skus: read them all, so the total always covers every sku.
    const all = await this.reader.read('backlog', { limit: 1000 }, readPointOf(query));
    const rows = all.items as BacklogRow[];
    const selected = query.sku === undefined ? rows : rows.filter((row) => row.sku === query.sku);
    return { position: all.position, items: selected, total: backlogTotal(rows), next: null };
  }

  @Get('approval-batches')
  @ApiOperation({
    summary: 'Each approval batch: its firms, quotas and quota used',
    description: LIST_DESCRIPTION,
  })
  approvalBatches(@Query() query: ApprovalBatchesQueryDto) {
    return this.reader.read('approval-batches', rowQueryOf(query, {}), readPointOf(query));
  }

  @Get('approval-batches/:batchId')
  @ApiOperation({ summary: 'One approval batch', description: 'Answers `{ position, item }`.' })
  @ApiParam({ name: 'batchId', example: 'batch-1' })
  approvalBatch(@Param('batchId', idParam('batchId')) batchId: string, @Query() query: ReadOneQueryDto) {
    return this.one('approval-batches', { batchId }, query, 'BATCH_NOT_FOUND', `approval batch ${batchId}`);
  }

  @Get('orders')
  @ApiOperation({
    summary: 'Orders: quantities shipped, delivered, cancelled, outstanding, and status',
    description: LIST_DESCRIPTION,
  })
  orders(@Query() query: OrdersQueryDto) {
    return this.reader.read(
      'orders',
      rowQueryOf(query, { firmId: query.firmId, status: query.status }),
      readPointOf(query),
    );
  }

  @Get('orders/:orderId')
  @ApiOperation({ summary: 'One order', description: 'Answers `{ position, item }`.' })
  @ApiParam({ name: 'orderId', example: 'PO-2026-0001' })
  order(@Param('orderId', idParam('orderId')) orderId: string, @Query() query: ReadOneQueryDto) {
    return this.one('orders', { orderId }, query, 'ORDER_NOT_FOUND', `order ${orderId}`);
  }

  private async one(
    name: string,
    key: Record<string, string>,
    query: ReadOneQueryDto,
    code: string,
    what: string,
  ): Promise<{ position: number; item: JsonObject }> {
    const { position, items } = await this.reader.read(name, { where: key, limit: 1 }, readPointOf(query));
    const item = items[0];
    if (!item) {
      throw new ProblemError(
        problem(404, code, `${what} is not in the ${name} read model at position ${position}`, { position }),
      );
    }
    return { position, item };
  }
}
