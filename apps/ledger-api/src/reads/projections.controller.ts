import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { Database } from '@ledger/database';
import { PostgresEventStore } from '@ledger/event-store';
import {
  catalog,
  type CatalogEntry,
  ProjectionReader,
  Projector,
  readModels,
  rebuildProgress,
} from '@ledger/projections';
import { DATABASE } from '../database/database.module.js';
import { ReadModelRead } from './reads.openapi.js';

/** What `GET /v1/projections` says of one read model. */
function describe(entry: CatalogEntry, head: number, codeVersion: number | undefined, now: number) {
  const rebuild = rebuildProgress(entry, head, now);
  return {
    name: entry.name,
    version: entry.liveVersion,
    generation: entry.liveGeneration,
    position: entry.livePosition,
    lag: Math.max(0, head - entry.livePosition),
    state: rebuild ? 'rebuilding' : entry.liveVersion !== codeVersion ? 'stale' : 'live',
    rebuild,
    lastRebuild: entry.lastRebuild,
  };
}

@Controller('v1/projections')
@ReadModelRead('operations', 'admin', 'auditor')
export class ProjectionsController {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    private readonly store: PostgresEventStore,
    private readonly projector: Projector,
    private readonly reader: ProjectionReader,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Each read model: the position it reflects, its lag, a rebuild’s progress and what the last rebuild proved',
    description:
      '`lastRebuild.matches` is true when the rebuilt rows’ checksum equals the live rows’ at the same position; ' +
      '`tableMatchesFold` when the rows written equal the fold in memory.',
  })
  @ApiOkResponse({ description: '{ ledgerPosition, projector, projections: [...] }' })
  async list() {
    let entries = await catalog.list(this.database.pool);
    if (readModels.some((model) => !entries.some((entry) => entry.name === model.name))) {
      // No projector has started on this database yet: list the read models at position 0.
      await catalog.register(this.database.pool, readModels);
      entries = await catalog.list(this.database.pool);
    }
    const head = await this.store.head();
    const now = Date.now();
    return {
      ledgerPosition: head.position,
      projector: this.projector.status().state,
      projections: entries
        .filter((entry) => readModels.some((model) => model.name === entry.name))
        .map((entry) => describe(entry, head.position, this.versionOf(entry.name), now)),
    };
  }

  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Rebuild a read model from the ledger into fresh rows; the live rows serve until an atomic swap',
    description:
      'Answers at once; follow the progress (position, percent, ETA) in GET /v1/projections. A second request ' +
      'while one runs is a 409 REBUILD_IN_PROGRESS; an unknown name a 404 PROJECTION_NOT_FOUND.',
  })
  @ApiParam({ name: 'name', enum: readModels.map((model) => model.name) })
  @ApiAcceptedResponse({ description: 'the rebuild is queued; the body describes the read model' })
  async rebuild(@Param('name') name: string) {
    const model = this.reader.model(name);
    await catalog.register(this.database.pool, readModels);
    const entry = await catalog.requestRebuild(this.database.pool, name, model.version);
    const head = await this.store.head();
    return describe(entry, head.position, model.version, Date.now());
  }

  private versionOf(name: string): number | undefined {
    return readModels.find((model) => model.name === name)?.version;
  }
}
