import {
  type BeforeApplicationShutdown,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
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
export class LedgerModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(Sequencer) private readonly sequencer: Sequencer) {}

  onApplicationBootstrap(): void {
    this.sequencer.start();
  }

  /** Before the database closes: the sequencer finishes its batch and lets go of leadership. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.sequencer.stop();
  }
}
