import { Controller, Get, Header, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import {
  Checkpointer,
  CheckpointerStoppedError,
  HistoryChangedError,
  readCheckpoints,
  readLatestCheckpoint,
  readPublicKeys,
  SigningKeyRetiredError,
  verifyStoredLedger,
} from '@ledger/audit';
import type { Database } from '@ledger/database';
import { PostgresEventStore } from '@ledger/event-store';
import { DATABASE } from '../database/database.module.js';
import { Roles } from '../http/auth/roles.decorator.js';
import { problem, ProblemError } from '../http/problem-details.js';
import {
  AuditReportDoc,
  CheckpointDoc,
  CheckpointPageDoc,
  CheckpointsQueryDto,
  DEFAULT_PAGE,
  KEEP_COPIES,
  PublicKeysDoc,
  RotationDoc,
} from './audit.dto.js';
import { KeyRotationExternalError } from './signing-keys.js';

/** The `Audit-Notice` header, as OpenAPI describes it on every checkpoint answer. */
const notice = { 'Audit-Notice': { description: KEEP_COPIES, schema: { type: 'string' } } };

const problemDoc = (description: string) => ({
  description: `${description} (application/problem+json with a machine code)`,
});

/** Signed checkpoints, the keys that verify them, and the service's own verification of the ledger. */
@Controller('v1/audit')
@Roles('auditor', 'admin')
@ApiTags('audit')
@ApiBearerAuth()
@ApiResponse({ status: 401, ...problemDoc('no or unknown API key (UNAUTHENTICATED)') })
@ApiResponse({ status: 403, ...problemDoc('the key’s role may not do this (FORBIDDEN)') })
@ApiResponse({ status: 503, ...problemDoc('the database is unavailable (DATABASE_UNAVAILABLE)') })
export class AuditController {
  constructor(
    @Inject(Checkpointer) private readonly checkpointer: Checkpointer,
    @Inject(DATABASE) private readonly database: Database,
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
  ) {}

  @Get('checkpoints')
  @Header('Audit-Notice', KEEP_COPIES)
  @ApiOperation({
    summary: 'Signed checkpoints, newest first (or oldest first from ?after=)',
    description: KEEP_COPIES,
  })
  @ApiOkResponse({ type: CheckpointPageDoc, headers: notice })
  @ApiResponse({ status: 400, ...problemDoc('a query parameter failed validation (VALIDATION_FAILED)') })
  async list(@Query() query: CheckpointsQueryDto) {
    const limit = query.limit ?? DEFAULT_PAGE;
    if (query.after !== undefined && query.before !== undefined) {
      throw new ProblemError(
        problem(400, 'VALIDATION_FAILED', 'page with after or with before, not both', {
          errors: [{ field: 'after', messages: ['after and before exclude each other'] }],
        }),
      );
    }
    const ascending = query.after !== undefined;
    const checkpoints = await readCheckpoints(this.database.pool, {
      ...(ascending ? { after: query.after } : { before: query.before }),
      limit,
      order: ascending ? 'asc' : 'desc',
    });
    const last = checkpoints.at(-1);
    const next =
      checkpoints.length < limit || !last
        ? null
        : `/v1/audit/checkpoints?${ascending ? 'after' : 'before'}=${last.size}&limit=${limit}`;
    return { checkpoints, next, notice: KEEP_COPIES };
  }

  @Get('checkpoints/latest')
  @Header('Audit-Notice', KEEP_COPIES)
  @ApiOperation({ summary: 'The newest signed checkpoint', description: KEEP_COPIES })
  @ApiOkResponse({ type: CheckpointDoc, headers: notice })
  @ApiResponse({ status: 404, ...problemDoc('nothing signed yet (NO_CHECKPOINT)') })
  async latest() {
    const checkpoint = await readLatestCheckpoint(this.database.pool);
    if (!checkpoint) {
      throw new ProblemError(problem(404, 'NO_CHECKPOINT', 'no checkpoint has been signed yet'));
    }
    return checkpoint;
  }

  @Post('checkpoints')
  @Roles('admin')
  @Header('Audit-Notice', KEEP_COPIES)
  @ApiOperation({
    summary: 'Verify the whole ledger from genesis and sign a checkpoint now',
    description:
      'Re-verifies every entry and every stored checkpoint first, and refuses (409 HISTORY_CHANGED) ' +
      `if the history changed. 201 with the new checkpoint; 200 with the latest one when the ledger has not grown. ${KEEP_COPIES}`,
  })
  @ApiCreatedResponse({ type: CheckpointDoc, description: 'signed', headers: notice })
  @ApiOkResponse({
    type: CheckpointDoc,
    description: 'the ledger has not grown: the latest checkpoint',
    headers: notice,
  })
  @ApiResponse({
    status: 409,
    ...problemDoc(
      'the stored history changed (HISTORY_CHANGED, with `fault`), this instance’s key was retired ' +
        '(SIGNING_KEY_RETIRED), or nothing is stamped yet (LEDGER_EMPTY)',
    ),
  })
  async sign(@Res({ passthrough: true }) response: Response) {
    const result = await this.run(() => this.checkpointer.checkpoint({ full: true }));
    if (!result.checkpoint) {
      throw new ProblemError(problem(409, 'LEDGER_EMPTY', 'nothing is stamped yet: nothing to sign'));
    }
    if (!result.signed) response.status(200);
    return result.checkpoint;
  }

  @Get('keys')
  @ApiOperation({
    summary: 'The public keys that verify the checkpoints, retired ones included',
    description: 'Pin them outside the service (ledger verify --pin-key).',
  })
  @ApiOkResponse({ type: PublicKeysDoc })
  async keys() {
    const keys = await readPublicKeys(this.database.pool);
    const inService = keys.filter((key) => !key.retiredAt);
    return {
      keys,
      currentKeyId: inService.at(-1)?.keyId ?? null,
      notice: 'Pin these keys outside the service: ledger verify --pin-key',
    };
  }

  @Post('keys/rotate')
  @Roles('admin')
  @ApiOperation({
    summary: 'Make a new signing key current and retire the others',
    description:
      'Checkpoints signed before stay verifiable with the retired key (its retiredAt bounds their time). ' +
      'The old private key is discarded. Refused (409 SIGNING_KEY_EXTERNAL) when the key comes from ' +
      'LEDGER_SIGNING_KEY: set a new one there and restart.',
  })
  @ApiCreatedResponse({ type: RotationDoc })
  @ApiResponse({ status: 409, ...problemDoc('the key is managed outside (SIGNING_KEY_EXTERNAL)') })
  rotate() {
    return this.run(() => this.checkpointer.rotateKey());
  }

  @Get('verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Verify the stored ledger against the stored checkpoints and published keys',
    description:
      'The same verification as `ledger verify`, run inside the service over its database: every ' +
      'entry, link and Merkle root, every checkpoint and signature. Always 200: `ok` false with ' +
      '`fault` (code and first failing position, see FORMAT.md) when the history does not verify. It ' +
      'trusts the keys the database publishes; an auditor verifies with pinned keys and saved checkpoints.',
  })
  @ApiOkResponse({ type: AuditReportDoc })
  async verify() {
    const report = await verifyStoredLedger(this.database.pool, this.store);
    // Whatever it found, the checkpointer finds it too before it signs again.
    if (!report.ok) this.checkpointer.requestFullVerification();
    return report;
  }

  private async run<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw toAuditProblem(error);
    }
  }
}

function toAuditProblem(error: unknown): unknown {
  if (error instanceof HistoryChangedError) {
    return new ProblemError(
      problem(409, 'HISTORY_CHANGED', `refusing to sign: ${error.message}`, { fault: error.fault }),
    );
  }
  if (error instanceof SigningKeyRetiredError) {
    return new ProblemError(problem(409, 'SIGNING_KEY_RETIRED', error.message, { keyId: error.keyId }));
  }
  if (error instanceof KeyRotationExternalError) {
    return new ProblemError(problem(409, 'SIGNING_KEY_EXTERNAL', error.message));
  }
  if (error instanceof CheckpointerStoppedError) {
    return new ProblemError(problem(503, 'CHECKPOINTER_STOPPED', 'the service is shutting down'));
  }
  return error;
}
