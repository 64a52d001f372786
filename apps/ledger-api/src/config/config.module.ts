import { type DynamicModule, Module } from '@nestjs/common';
import type { LedgerConfig } from './config.js';

export const CONFIG = Symbol('LedgerConfig');

@Module({})
export class ConfigModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: CONFIG, useValue: config }],
      exports: [CONFIG],
    };
  }
}
