import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../apps/ledger-api/src/app.module.js';
import type { LedgerConfig } from '../../apps/ledger-api/src/config/config.js';

/** Boots the whole service in-process, on the given database, without listening on a port. */
export async function bootApp(database: LedgerConfig['database']): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot({ port: 0, database, apiKeys: null })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.enableShutdownHooks();
  await app.init();
  return app;
}
