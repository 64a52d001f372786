import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module.js';
import type { LedgerConfig } from './config/config.js';
import { HealthModule } from './health/health.module.js';
import { LedgerModule } from './ledger/ledger.module.js';

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return { module: AppModule, imports: [ConfigModule.forRoot(config), LedgerModule, HealthModule] };
  }
}
