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
