import { Global, Logger, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { CONFIG } from '../config/config.module.js';
import type { LedgerConfig } from '../config/config.js';
import { ApiKeyRing, resolveApiKeys } from './auth/api-keys.js';
import { AuthGuard } from './auth/auth.guard.js';
import { correlationMiddleware } from './correlation.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { CommandRateLimitGuard } from './rate-limit.guard.js';
import { validationPipe } from './validation.js';

/** HTTP conventions for every route: API-key auth with roles, validation, problem details, correlation. */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [CONFIG],
      useFactory: (config: LedgerConfig) => ({
        throttlers: [{ ttl: 60_000, limit: Math.max(1, config.commandsPerMinute) }],
        // LEDGER_RATE_LIMIT=0: no limit, and no counting either.
        skipIf: () => config.commandsPerMinute === 0,
      }),
    }),
  ],
  providers: [
    {
      provide: ApiKeyRing,
      inject: [CONFIG],
      useFactory: (config: LedgerConfig) => {
        const logger = new Logger('ApiKeys');
        // Printed once to the console, never into the structured log.
        const keys = resolveApiKeys(config.apiKeys, config.database.dataDir, (message) =>
          console.log(message),
        );
        logger.log(`${keys.length} API key(s): ${keys.map((k) => `${k.name} (${k.role})`).join(', ')}`);
        return new ApiKeyRing(keys);
      },
    },
    // Guards run in this order: who is asking, then how often.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: CommandRateLimitGuard },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_PIPE, useFactory: validationPipe },
  ],
  exports: [ApiKeyRing],
})
export class HttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(correlationMiddleware).forRoutes('*path');
  }
}
