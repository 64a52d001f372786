import {
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Checkpointer } from '@ledger/audit';
import type { Database } from '@ledger/database';
import { PostgresEventStore } from '@ledger/event-store';
import { CONFIG } from '../config/config.module.js';
import { loadConfig, type LedgerConfig } from '../config/config.js';
import { DATABASE } from '../database/database.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { LedgerMetrics } from '../metrics/metrics.js';
import { AuditController } from './audit.controller.js';
import { resolveSigningKeys } from './signing-keys.js';

/** Signed checkpoints: the checkpointer, its keys, and the audit routes. */
@Module({
  imports: [LedgerModule],
  controllers: [AuditController],
  providers: [
    {
      provide: Checkpointer,
      inject: [CONFIG, DATABASE, PostgresEventStore, LedgerMetrics],
      useFactory: (
        config: LedgerConfig,
        database: Database,
        store: PostgresEventStore,
        metrics: LedgerMetrics,
      ) => {
        // A service assembled without audit settings (loadConfig always gives them) signs on demand only.
        const audit = config.audit ?? { ...loadConfig({}).audit!, checkpointIntervalMs: 0 };
        const logger = new Logger('Checkpointer');
        metrics.historyIntact.set(1);
        return new Checkpointer({
          pool: database.pool,
          store,
          keys: resolveSigningKeys(
            audit.signingKey,
            config.database.dataDir,
            () => new Date(),
            (m) => logger.log(m),
          ),
          intervalMs: audit.checkpointIntervalMs,
          fullVerifyIntervalMs: audit.fullVerifyIntervalMs,
          logger,
          observer: {
            signed: (checkpoint) => {
              metrics.checkpointsSigned.inc();
              metrics.checkpointSize.set(checkpoint.size);
            },
            refused: (reason) => metrics.checkpointRefusals.inc({ reason }),
            integrity: (intact) => metrics.historyIntact.set(intact ? 1 : 0),
          },
        });
      },
    },
  ],
  exports: [Checkpointer],
})
export class AuditModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(Checkpointer) private readonly checkpointer: Checkpointer) {}

  /** Nest bootstraps LedgerModule (which this imports) first: the sequencer is running by now. */
  onApplicationBootstrap(): void {
    this.checkpointer.start();
  }

  /** Before LedgerModule closes the database: a round in progress finishes, no new one starts. */
  async onApplicationShutdown(): Promise<void> {
    await this.checkpointer.stop();
  }
}
