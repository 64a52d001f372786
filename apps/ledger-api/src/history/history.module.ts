import { Module } from '@nestjs/common';
import type { Database } from '@ledger/database';
import { LedgerQueries } from '@ledger/event-store';
import { DATABASE } from '../database/database.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { EventsController } from './events.controller.js';
import { DEFAULT_LIVE_FEED_OPTIONS, LIVE_FEED_OPTIONS, LiveFeed } from './live-feed.js';
import { LiveController } from './live.controller.js';
import { StreamsController } from './streams.controller.js';

/** The ledger's history for auditors (pages, NDJSON, streams) and the live feed for services. */
@Module({
  imports: [LedgerModule],
  // The live route first: Express matches in registration order.
  controllers: [LiveController, EventsController, StreamsController],
  providers: [
    {
      provide: LedgerQueries,
      inject: [DATABASE],
      useFactory: (database: Database) => new LedgerQueries(database.pool),
    },
    { provide: LIVE_FEED_OPTIONS, useValue: DEFAULT_LIVE_FEED_OPTIONS },
    LiveFeed,
  ],
  exports: [LiveFeed],
})
export class HistoryModule {}
