import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { problem, ProblemError } from '../http/problem-details.js';
import { LiveQueryDto } from './history.dto.js';
import { HistoryRead } from './history.openapi.js';
import { LiveFeed } from './live-feed.js';

@Controller('v1/events/live')
@HistoryRead('history', 'service', 'auditor', 'admin')
export class LiveController {
  constructor(private readonly feed: LiveFeed) {}

  @Get()
  @ApiOperation({
    summary: 'The ledger as server-sent events, from a position and then live',
    description:
      'Each event is sent as `id: <position>`, `event: <type>`, `data: <the event as JSON>`, in ledger ' +
      'order. Reconnect with `Last-Event-ID` (EventSource does so itself) to resume with nothing missed ' +
      'and nothing twice. A comment line is sent every 15 s while quiet.',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'the last position received; the stream resumes after it (takes precedence over `after`)',
    example: '1234',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'an endless text/event-stream',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example: 'id: 1234\nevent: OrderPlaced\ndata: {"position":1234,"type":"OrderPlaced",...}\n\n',
      },
    },
  })
  @ApiResponse({ status: 503, description: 'the service is shutting down (SHUTTING_DOWN): reconnect' })
  async live(
    @Query() query: LiveQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.feed.serve(res, resumeAfter(lastEventId, query.after));
  }
}

function resumeAfter(lastEventId: string | undefined, after: number | undefined): number {
  if (lastEventId === undefined || lastEventId === '') return after ?? 0;
  if (/^\d{1,15}$/.test(lastEventId.trim())) return Number(lastEventId.trim());
  throw new ProblemError(
    problem(400, 'VALIDATION_FAILED', '1 field(s) failed validation', {
      errors: [
        { field: 'Last-Event-ID', messages: ['Last-Event-ID must be a ledger position (a whole number)'] },
      ],
    }),
  );
}
