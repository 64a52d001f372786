import { applyDecorators, type INestApplication } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiProperty,
  ApiResponse,
  ApiTags,
  DocumentBuilder,
  SwaggerModule,
} from '@nestjs/swagger';
import type { Role } from '../config/config.js';
import { Roles } from './auth/roles.decorator.js';

class AppendedEventDoc {
  @ApiProperty({ example: '0b6f5a4e-8f7e-4a59-9a57-5e2d1c3b4a10' }) eventId: string;
  @ApiProperty({ example: 'ShipmentReleased' }) type: string;
  @ApiProperty({ example: 'shipment-SH-2026-0001' }) streamId: string;
  @ApiProperty({ example: 1 }) version: number;
}

class CommandResponseDoc {
  @ApiProperty({
    example: 1234,
    description: 'ledger position of the event: pass it as minPosition to read your write',
  })
  position: number;
  @ApiProperty({ type: [AppendedEventDoc] }) events: AppendedEventDoc[];
}

const problem = (description: string) => ({
  description: `${description} (application/problem+json with a machine code)`,
});

/** An admin command route: role, tag, bearer auth and the answers every command can give. */
export const AdminCommands = (tag: string) =>
  applyDecorators(
    Roles('admin'),
    ApiTags(tag),
    ApiBearerAuth(),
    ApiCreatedResponse({
      type: CommandResponseDoc,
      description: 'appended; the body names the ledger position',
    }),
    ApiResponse({ status: 400, ...problem('a field failed validation (each failing field listed)') }),
    ApiResponse({ status: 401, ...problem('no or unknown API key') }),
    ApiResponse({ status: 403, ...problem('the key’s role may not issue commands') }),
    ApiResponse({
      status: 404,
      ...problem('a named firm, product, order, approval, licence or shipment is unknown'),
    }),
    ApiResponse({
      status: 409,
      ...problem('an id reused, done twice, a concurrency conflict, or an Idempotency-Key reused'),
    }),
    ApiResponse({ status: 422, ...problem('a rule refused it (QUOTA_EXCEEDED, PAIRING_SHORTFALL, ...)') }),
    ApiResponse({ status: 429, ...problem('too many commands for this key') }),
    ApiResponse({ status: 503, ...problem('the database is unavailable') }),
  );

/**
 * A read route: its roles, tag, bearer auth and the problems every read can answer, plus its own (a later
 * answer for the same status replaces the general one).
 */
export const ReadRoute = (
  tag: string,
  roles: readonly Role[],
  own: { status: number; description: string }[] = [],
) =>
  applyDecorators(
    Roles(...roles),
    ApiTags(tag),
    ApiBearerAuth(),
    ApiResponse({
      status: 400,
      ...problem('a query parameter failed validation (VALIDATION_FAILED, each failing field listed)'),
    }),
    ApiResponse({ status: 401, ...problem('no or unknown API key (UNAUTHENTICATED)') }),
    ApiResponse({ status: 403, ...problem(`the key’s role is not one of ${roles.join(', ')} (FORBIDDEN)`) }),
    ApiResponse({ status: 503, ...problem('the database is unavailable (DATABASE_UNAVAILABLE)') }),
    ...own.map(({ status, description }) => ApiResponse({ status, ...problem(description) })),
  );

/** OpenAPI at /docs-json and Swagger UI at /docs (both public). */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('supply-ledger')
    .setDescription(
      'An event-sourced ledger for export-controlled goods. Commands append immutable events, stamped into a dense, hash-chained ledger. Send `Authorization: Bearer <key>`; commands accept `Idempotency-Key` and `X-Correlation-Id`.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
