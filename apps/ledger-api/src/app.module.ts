import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module.js';
import type { LedgerConfig } from './config/config.js';
import { AuditModule } from './audit/audit.module.js';
import { CommandsModule } from './commands/commands.module.js';
import { HealthModule } from './health/health.module.js';
import { HistoryModule } from './history/history.module.js';
import { HttpModule } from './http/http.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ReadsModule } from './reads/reads.module.js';

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        HttpModule,
        LedgerModule,
        MetricsModule,
        HealthModule,
        CommandsModule,
        ReadsModule,
        HistoryModule,
        AuditModule,
      ],
    };
  }
}
