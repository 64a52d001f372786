export type { JsonObject, JsonPrimitive, JsonValue } from './json.js';
export type {
  AppendedEvent,
  AppendResult,
  EventMetadata,
  ExpectedVersion,
  LedgerEvent,
  NewEvent,
  RecordedEvent,
  StreamAppend,
  StreamLink,
} from './types.js';
export {
  ConcurrencyError,
  DuplicateEventError,
  EventStoreError,
  InvalidAppendError,
  StampTimeoutError,
  StreamOrderConflictError,
  WrongExpectedVersionError,
} from './errors.js';
export { Upcasters, type Upcaster } from './upcasters.js';
export { LedgerSignals, type StampedBatch } from './ledger-signals.js';
export { canonicalize, CanonicalJsonError } from './ledger/canonical-json.js';
export {
  ChainVerifier,
  genesisHash,
  parseEntry,
  sealEntry,
  sha256Hex,
  type ChainFault,
  type ChainFaultCode,
  type LedgerEntry,
  type SealedEvent,
  type StoredEntry,
} from './ledger/hash-chain.js';
export {
  runForLeadership,
  type LeaderLoopOptions,
  type LeaderRole,
  type LeaderState,
  type LeaderStatus,
} from './ledger/leader-loop.js';
export { WakeUp } from './ledger/wake-up.js';
export {
  Sequencer,
  type SequencerLogger,
  type SequencerOptions,
  type SequencerState,
  type SequencerStatus,
} from './ledger/sequencer.js';
export {
  PostgresEventStore,
  type AppendOptions,
  type ChainVerification,
  type EventStoreOptions,
  type FollowOptions,
  type ReadLedgerOptions,
  type ReadStreamOptions,
} from './postgres/postgres-event-store.js';
export {
  LedgerQueries,
  type LedgerEventsPage,
  type LedgerFilter,
  type LedgerQueriesOptions,
  type StreamHistory,
  type StreamHistoryEvent,
} from './postgres/ledger-queries.js';
