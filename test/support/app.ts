import 'reflect-metadata';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../apps/ledger-api/src/app.module.js';
import type { LedgerConfig } from '../../apps/ledger-api/src/config/config.js';
import { setupOpenApi } from '../../apps/ledger-api/src/http/openapi.js';

/** One key per role, as LEDGER_API_KEYS would give them. */
export const TEST_KEYS = {
  admin: 'admin-secret-0123456789',
  service: 'service-secret-0123456789',
  auditor: 'auditor-secret-0123456789',
} as const;

/** Boots the whole service in-process, on the given database, without listening on a port. */
export async function bootApp(
  database: LedgerConfig['database'],
  overrides: Partial<LedgerConfig> = {},
  logger: LoggerService | false = false,
): Promise<INestApplication> {
  const apiKeys = Object.entries(TEST_KEYS).map(([role, secret]) => ({
    name: `test-${role}`,
    role: role as keyof typeof TEST_KEYS,
    secret,
  }));
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot({ port: 0, database, apiKeys, commandsPerMinute: 0, ...overrides })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger });
  app.enableShutdownHooks();
  setupOpenApi(app);
  await app.init();
  return app;
}
