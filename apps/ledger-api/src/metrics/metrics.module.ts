import {
  Controller,
  Get,
  Global,
  Header,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnModuleDestroy,
} from '@nestjs/common';
import { LedgerSignals, Sequencer } from '@ledger/event-store';
import { Public } from '../http/auth/roles.decorator.js';
import { Projector } from '@ledger/projections';
import { LedgerModule } from '../ledger/ledger.module.js';
import { ReadsModule } from '../reads/reads.module.js';
import { LedgerMetrics } from './metrics.js';
import { requestLogMiddleware } from './request-log.middleware.js';

@Controller('metrics')
@Public()
class MetricsController {
  constructor(
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
    @Inject(Sequencer) private readonly sequencer: Sequencer,
    @Inject(Projector) private readonly projector: Projector,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    const status = this.sequencer.status();
    this.metrics.ledgerPosition.set(status.position);
    this.metrics.sequencerLeader.set(status.state === 'leader' ? 1 : 0);
    for (const [projection, position] of Object.entries(this.projector.status().positions)) {
      this.metrics.projectionPosition.set({ projection }, position);
      this.metrics.projectionLag.set({ projection }, Math.max(0, status.position - position));
    }
    return this.metrics.registry.metrics();
  }
}

@Global()
@Module({
  imports: [LedgerModule, ReadsModule],
  controllers: [MetricsController],
  providers: [{ provide: LedgerMetrics, useFactory: () => new LedgerMetrics() }],
  exports: [LedgerMetrics],
})
export class MetricsModule implements NestModule, OnModuleDestroy {
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
    @Inject(LedgerSignals) signals: LedgerSignals,
  ) {
    this.unsubscribe = signals.onAppended((durationMs) => metrics.appendDuration.observe(durationMs / 1000));
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requestLogMiddleware(this.metrics)).forRoutes('*path');
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}
