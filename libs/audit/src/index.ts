export { EMPTY_ROOT, leafHash, MerkleFrontier, merkleRoot, nodeHash } from './merkle.js';
export {
  CHECKPOINT_CONTEXT,
  checkpointPayload,
  generateSigningKey,
  keyIdOf,
  signCheckpoint,
  verifyCheckpointSignature,
  type CheckpointBody,
  type PublicKeyRecord,
  type SignedCheckpoint,
  type SigningKey,
} from './checkpoint.js';
export {
  AUDIT_FAULT_CODES,
  verifyLedger,
  type AuditEntry,
  type AuditFault,
  type AuditFaultCode,
  type AuditReport,
  type VerifyLedgerInput,
} from './verify-ledger.js';
export * from './checkpointer.js';
export {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  BundleError,
  BundleExistsError,
  exportBundle,
  manifestDisagreement,
  openBundle,
  parseCheckpoints,
  type BundleManifest,
  type ExportOptions,
  type FileDigest,
  type OpenedBundle,
} from './bundle.js';
