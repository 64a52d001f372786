import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import { LedgerQueries } from '@ledger/event-store';
import { problem, ProblemError } from '../http/problem-details.js';
import { StreamDoc, streamEventView } from './event-view.js';
import { DEFAULT_PAGE, StreamQueryDto, streamIdParam } from './history.dto.js';
import { HistoryRead } from './history.openapi.js';

@Controller('v1/streams')
@HistoryRead('history', 'auditor', 'admin')
export class StreamsController {
  constructor(private readonly queries: LedgerQueries) {}

  @Get(':streamId')
  @ApiOperation({
    summary: 'One stream’s events in version order, its own and those linked into it',
    description:
      'Each event with its version in this stream, and its ledger position and hashes once stamped ' +
      '(null for an event committed a moment ago and not yet stamped).',
  })
  @ApiParam({
    name: 'streamId',
    example: 'order-PO-2026-0001',
    description: 'e.g. product-H200, firm-bytedance',
  })
  @ApiOkResponse({ type: StreamDoc })
  @ApiResponse({
    status: 404,
    description: 'no event in this stream (STREAM_NOT_FOUND, application/problem+json)',
  })
  async read(@Param('streamId', streamIdParam) streamId: string, @Query() query: StreamQueryDto) {
    const history = await this.queries.readStream(streamId, {
      fromVersion: query.fromVersion ?? 1,
      limit: query.limit ?? DEFAULT_PAGE,
    });
    if (history.version === 0) {
      throw new ProblemError(problem(404, 'STREAM_NOT_FOUND', `stream ${streamId} has no events`));
    }
    return {
      streamId,
      version: history.version,
      events: history.events.map(streamEventView),
      next: history.next,
    };
  }
}
