import { Controller, Get, Logger, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { LedgerQueries, type LedgerFilter } from '@ledger/event-store';
import { problem, ProblemError } from '../http/problem-details.js';
import { EventDoc, EventsPageDoc, eventView } from './event-view.js';
import { DEFAULT_PAGE, EventsQueryDto } from './history.dto.js';
import { HistoryRead } from './history.openapi.js';
import { abortOnClose, writeWithBackpressure } from './response-writer.js';

export const NDJSON = 'application/x-ndjson';

@Controller('v1/events')
@HistoryRead('history', 'auditor', 'admin')
@ApiExtraModels(EventDoc)
export class EventsController {
  private readonly logger = new Logger('History');

  constructor(private readonly queries: LedgerQueries) {}

  @Get()
  @ApiOperation({
    summary: 'The ledger in ledger order, filtered and paged; the whole log as NDJSON',
    description:
      'JSON pages of at most `limit` events after `after`; follow `next` until it is null. With ' +
      '`Accept: application/x-ndjson` the same filters stream every matching event up to the head at ' +
      'the time of the request, one JSON object per line (`limit` then caps the count only when given).',
  })
  @ApiProduces('application/json', NDJSON)
  @ApiOkResponse({
    description: 'a page (JSON), or one event per line (NDJSON)',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(EventsPageDoc) } },
      [NDJSON]: { schema: { $ref: getSchemaPath(EventDoc) } },
    },
  })
  @ApiExtraModels(EventsPageDoc)
  async list(@Query() query: EventsQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const filter = toFilter(query);
    if (req.accepts(['application/json', NDJSON]) === NDJSON) {
      await this.streamNdjson(filter, query.limit, res);
      return;
    }
    const page = await this.queries.readPage(filter, query.limit ?? DEFAULT_PAGE);
    const head = await this.queries.headPosition();
    res.json({ events: page.events.map(eventView), next: page.next, head });
  }

  /** Bounded memory: one page in flight, and no next page read while the client's socket is full. */
  private async streamNdjson(filter: LedgerFilter, limit: number | undefined, res: Response): Promise<void> {
    const head = await this.queries.headPosition();
    const client = abortOnClose(res);
    res.status(200).type(NDJSON).setHeader('Ledger-Head', String(head));
    res.flushHeaders();
    let sent = 0;
    try {
      for await (const event of this.queries.readAll({ ...filter, through: head })) {
        if (!(await writeWithBackpressure(res, `${JSON.stringify(eventView(event))}\n`, client.signal)))
          return;
        if (++sent === limit) break;
      }
      res.end();
    } catch (error) {
      // The status is long sent: cut the connection so the client sees a broken stream, not a short one.
      this.logger.error(`NDJSON export failed after ${sent} event(s): ${String(error)}`);
      res.destroy(error as Error);
    }
  }
}

function toFilter(query: EventsQueryDto): LedgerFilter {
  const from = query.from === undefined ? undefined : new Date(query.from);
  const to = query.to === undefined ? undefined : new Date(query.to);
  if (from && to && from > to) {
    throw new ProblemError(
      problem(400, 'VALIDATION_FAILED', '1 field(s) failed validation', {
        errors: [{ field: 'to', messages: ['to must not be before from'] }],
      }),
    );
  }
  return {
    after: query.after ?? 0,
    ...(query.type ? { types: [...new Set(query.type)] } : {}),
    ...(query.streamId ? { streamId: query.streamId } : {}),
    ...(query.firmId ? { relatedTo: { firmId: query.firmId } } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}
