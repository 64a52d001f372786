import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Everything /metrics exposes, in one registry per service instance (tests boot several). */
export class LedgerMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'ledger_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'ledger_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly commandOutcomes = new Counter({
    name: 'ledger_command_outcomes_total',
    help: 'Commands by type and outcome: accepted, or the refusal code',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly appendDuration = new Histogram({
    name: 'ledger_append_duration_seconds',
    help: 'Event store append round trip',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });

  readonly ledgerPosition = new Gauge({
    name: 'ledger_sequencer_position',
    help: 'Last ledger position this instance knows to be stamped',
    registers: [this.registry],
  });

  readonly sequencerLeader = new Gauge({
    name: 'ledger_sequencer_leader',
    help: '1 when this instance leads the sequencing, 0 otherwise',
    registers: [this.registry],
  });

  readonly checkpointsSigned = new Counter({
    name: 'ledger_checkpoints_signed_total',
    help: 'Checkpoints this instance signed',
    registers: [this.registry],
  });

  readonly checkpointSize = new Gauge({
    name: 'ledger_checkpoint_size',
    help: 'Size of the latest checkpoint this instance signed',
    registers: [this.registry],
  });

  readonly checkpointRefusals = new Counter({
    name: 'ledger_checkpoint_refusals_total',
    help: 'Checkpoints refused, by reason: how the stored history changed, or SIGNING_KEY_RETIRED',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly historyIntact = new Gauge({
    name: 'ledger_history_intact',
    help: '0 once the stored history differs from what was verified and signed (signing stops), else 1',
    registers: [this.registry],
  });

  readonly projectionPosition = new Gauge({
    name: 'ledger_projection_position',
    help: 'Ledger position each read model reflects (on the instance that projects)',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionLag = new Gauge({
    name: 'ledger_projection_lag_events',
    help: 'Stamped ledger entries a read model has not applied yet (on the instance that projects)',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ledger_' });
  }
}
