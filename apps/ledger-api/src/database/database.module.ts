import { Logger, Module } from '@nestjs/common';
import { Database } from '@ledger/database';
import { CONFIG } from '../config/config.module.js';
import type { LedgerConfig } from '../config/config.js';

export const DATABASE = Symbol('Database');

@Module({
  providers: [
    {
      provide: DATABASE,
      inject: [CONFIG],
      useFactory: async (config: LedgerConfig): Promise<Database> => {
        const logger = new Logger('Database');
        const database = await Database.open({
          ...(config.database.url ? { databaseUrl: config.database.url } : {}),
          dataDir: config.database.dataDir,
          onIdleError: (error) => logger.warn(`idle connection lost: ${error.message}`),
        });
        logger.log(
          database.kind === 'embedded'
            ? `embedded PostgreSQL (PGlite) in ${config.database.dataDir}, migrated`
            : 'PostgreSQL server from DATABASE_URL, migrated',
        );
        return database;
      },
    },
  ],
  exports: [DATABASE],
})
export class DatabaseModule {}
