import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

/** What every checkpoint answer tells its reader (also sent as the `Audit-Notice` header). */
export const KEEP_COPIES =
  'Keep copies of these checkpoints outside this service: only a checkpoint saved elsewhere proves ' +
  'that the history the service shows later is the one it signed (`ledger verify --checkpoints`).';

/** Query strings arrive as text: a whole number becomes a number, anything else stays text and fails IsInt. */
const toInteger = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value,
  );

const IsSize = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 0, example: 1000, description }),
    IsOptional(),
    toInteger(),
    IsInt({ message: '$property must be a whole number' }),
    Min(0),
  );

export class CheckpointsQueryDto {
  @IsSize('oldest first: checkpoints of a size greater than this')
  after?: number;

  @IsSize('newest first (the default order): checkpoints of a size less than this')
  before?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE })
  @IsOptional()
  @toInteger()
  @IsInt({ message: '$property must be a whole number' })
  @Min(1)
  @Max(MAX_PAGE)
  limit?: number;
}

export class CheckpointDoc {
  @ApiProperty({ example: '5f0c7c3e-8d0e-4a4e-9d59-2f1a7d6b1c20' }) ledgerId: string;
  @ApiProperty({ example: 1000, description: 'entries 1..size are covered' }) size: number;
  @ApiProperty({ example: 'a3f1…', description: 'hash of entry `size`, hex' }) headHash: string;
  @ApiProperty({ example: '9c2e…', description: 'RFC 6962 root over entries 1..size, hex' })
  merkleRoot: string;
  @ApiProperty({ example: '2026-11-29T22:00:00.000Z' }) time: string;
  @ApiProperty({ example: 'ed25519:4b1d…', description: 'see GET /v1/audit/keys' }) keyId: string;
  @ApiProperty({ description: 'base64 Ed25519 signature over the canonical checkpoint (FORMAT.md)' })
  signature: string;
}

export class CheckpointPageDoc {
  @ApiProperty({ type: [CheckpointDoc] }) checkpoints: CheckpointDoc[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: '/v1/audit/checkpoints?before=900&limit=100',
    description: 'the next page, null at the end',
  })
  next: string | null;
  @ApiProperty({ example: KEEP_COPIES }) notice: string;
}

export class PublicKeyDoc {
  @ApiProperty({ example: 'ed25519:4b1d…' }) keyId: string;
  @ApiProperty({ example: '-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----\n' }) publicKeyPem: string;
  @ApiProperty({ example: '2026-11-29T21:00:00.000Z' }) createdAt: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description: 'checkpoints dated after this were not signed by this key',
  })
  retiredAt: string | null;
}

export class PublicKeysDoc {
  @ApiProperty({ type: [PublicKeyDoc], description: 'oldest first' }) keys: PublicKeyDoc[];
  @ApiProperty({ example: 'ed25519:4b1d…', nullable: true, type: String }) currentKeyId: string | null;
  @ApiProperty({ example: 'Pin these keys outside the service: ledger verify --pin-key' }) notice: string;
}

export class RotationDoc {
  @ApiProperty({ type: PublicKeyDoc }) current: PublicKeyDoc;
  @ApiProperty({ type: [PublicKeyDoc] }) retired: PublicKeyDoc[];
}

class AuditFaultDoc {
  @ApiProperty({ example: 'EVENT_EDITED', description: 'one of the codes in FORMAT.md' }) code: string;
  @ApiProperty({ example: 42, description: 'the first position that fails' }) position: number;
  @ApiProperty({ example: 'entry 42 hashes to …; it was sealed as …' }) detail: string;
}

export class AuditReportDoc {
  @ApiProperty({ description: 'false: `fault` names the first failing position and why' }) ok: boolean;
  @ApiProperty() ledgerId: string;
  @ApiProperty({ description: 'entries verified' }) size: number;
  @ApiProperty() headHash: string;
  @ApiProperty() merkleRoot: string;
  @ApiProperty() verifiedThrough: number;
  @ApiProperty() checkpointsVerified: number;
  @ApiPropertyOptional({ type: AuditFaultDoc }) fault?: AuditFaultDoc;
}
