import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  Inject,
  ServiceUnavailableException,
  UseFilters,
} from '@nestjs/common';
import type { Response } from 'express';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Checkpointer } from '@ledger/audit';
import type { Database } from '@ledger/database';
import { Sequencer } from '@ledger/event-store';
import { Projector } from '@ledger/projections';
import { DATABASE } from '../database/database.module.js';
import { Public } from '../http/auth/roles.decorator.js';

/** A leader whose loop has not turned for this long is stuck (or its database is). */
const SEQUENCER_STALL_MS = 10_000;

/** A failing check answers 503 with terminus' own report (what is down and why), not a problem document. */
@Catch(ServiceUnavailableException)
class HealthReportFilter implements ExceptionFilter {
  catch(error: ServiceUnavailableException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(503).json(error.getResponse());
  }
}

@Controller('health')
@Public()
@UseFilters(HealthReportFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(DATABASE) private readonly database: Database,
    @Inject(Sequencer) private readonly sequencer: Sequencer,
    @Inject(Checkpointer) private readonly checkpointer: Checkpointer,
    @Inject(Projector) private readonly projector: Projector,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.databaseReachable(),
      () => this.sequencerAlive(),
      () => this.historyIntact(),
      () => this.projectorAlive(),
    ]);
  }

  private async databaseReachable() {
    const indicator = this.indicators.check('database');
    try {
      await this.database.pool.query('SELECT 1');
      return indicator.up({ kind: this.database.kind });
    } catch (error) {
      return indicator.down({ kind: this.database.kind, message: (error as Error).message });
    }
  }

  /** Alive: this instance leads and its loop turns, or it stands by for another instance. */
  private sequencerAlive() {
    const indicator = this.indicators.check('sequencer');
    const status = this.sequencer.status();
    const heartbeatAgeMs = Date.now() - status.heartbeatAt;
    const details = {
      state: status.state,
      position: status.position,
      heartbeatAgeMs,
      lastError: status.lastError,
    };
    return status.state !== 'stopped' && heartbeatAgeMs < SEQUENCER_STALL_MS
      ? indicator.up(details)
      : indicator.down(details);
  }

  /** Alive: this instance projects and its loop turns, or it stands by for another instance. */
  private projectorAlive() {
    const indicator = this.indicators.check('projector');
    const status = this.projector.status();
    const heartbeatAgeMs = Date.now() - status.heartbeatAt;
    const details = {
      state: status.state,
      positions: status.positions,
      heartbeatAgeMs,
      lastError: status.lastError,
    };
    return status.state !== 'stopped' && heartbeatAgeMs < SEQUENCER_STALL_MS
      ? indicator.up(details)
      : indicator.down(details);
  }

  /** Down once the stored history differs from what was signed, or this key was retired: nothing is signed. */
  private historyIntact() {
    const indicator = this.indicators.check('checkpointer');
    const status = this.checkpointer.status();
    const details = {
      state: status.state,
      historyIntact: status.historyIntact,
      verifiedThrough: status.verifiedThrough,
      lastCheckpoint: status.lastCheckpoint,
      lastFullVerificationAt: status.lastFullVerificationAt,
      fault: status.fault,
      lastError: status.lastError,
    };
    const signing = status.state === 'starting' || status.state === 'ready';
    return status.historyIntact && signing ? indicator.up(details) : indicator.down(details);
  }
}
