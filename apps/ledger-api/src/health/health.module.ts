import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuditModule } from '../audit/audit.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { ReadsModule } from '../reads/reads.module.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [TerminusModule, LedgerModule, AuditModule, ReadsModule],
  controllers: [HealthController],
})
export class HealthModule {}
