import {
  Inject,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Database } from '@ledger/database';
import { LedgerSignals, PostgresEventStore } from '@ledger/event-store';
import { ProjectionReader, Projector, readModels } from '@ledger/projections';
import { DATABASE } from '../database/database.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { ProjectionsController } from './projections.controller.js';
import { ReadsController } from './reads.controller.js';

/** The read models: the projector that keeps them, the reads services rely on, and their operations. */
@Module({
  imports: [LedgerModule],
  controllers: [ReadsController, ProjectionsController],
  providers: [
    {
      provide: Projector,
      inject: [DATABASE, LedgerSignals],
      useFactory: (database: Database, signals: LedgerSignals) =>
        new Projector(database.url, database.pool, {
          models: readModels,
          signals,
          logger: new Logger('Projector'),
        }),
    },
    {
      provide: ProjectionReader,
      inject: [DATABASE, PostgresEventStore, Projector],
      useFactory: (database: Database, store: PostgresEventStore, projector: Projector) =>
        new ProjectionReader(database.pool, store, readModels, { projector }),
    },
  ],
  exports: [Projector, ProjectionReader],
})
export class ReadsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(Projector) private readonly projector: Projector) {}

  onApplicationBootstrap(): void {
    this.projector.start();
  }

  /** Before the database closes (LedgerModule closes it on shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.projector.stop();
  }
}
