import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LedgerModule } from '../ledger/ledger.module.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [TerminusModule, LedgerModule],
  controllers: [HealthController],
})
export class HealthModule {}
