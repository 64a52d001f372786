import {
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Database } from '@ledger/database';
import { LedgerSignals, PostgresEventStore, Sequencer } from '@ledger/event-store';
import { DATABASE, DatabaseModule } from '../database/database.module.js';

@Module({
  imports: [DatabaseModule],
  providers: [
    { provide: LedgerSignals, useFactory: () => new LedgerSignals() },
    {
      provide: PostgresEventStore,
      inject: [DATABASE, LedgerSignals],
      useFactory: (database: Database, signals: LedgerSignals) =>
        new PostgresEventStore(database.pool, { signals }),
    },
    {
      provide: Sequencer,
      inject: [DATABASE, LedgerSignals],
      useFactory: (database: Database, signals: LedgerSignals) =>
        new Sequencer(database.url, { signals, logger: new Logger('Sequencer') }),
    },
  ],
  exports: [PostgresEventStore, Sequencer, LedgerSignals, DatabaseModule],
})
export class LedgerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(Sequencer) private readonly sequencer: Sequencer,
    @Inject(DATABASE) private readonly database: Database,
  ) {}

  onApplicationBootstrap(): void {
    this.sequencer.start();
  }

  /**
   * Nest runs this after the HTTP server has drained, so in-flight commands still get stamped and
   * answered; then the sequencer finishes its batch and lets go of leadership, and the database closes.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.sequencer.stop();
    await this.database.close();
  }
}
