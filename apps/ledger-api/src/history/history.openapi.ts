import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Role } from '../config/config.js';
import { Roles } from '../http/auth/roles.decorator.js';

const problem = (description: string) => ({
  description: `${description} (application/problem+json with a machine code)`,
});

/** A read of the ledger's history: roles, tag, bearer auth and the errors every such read can answer. */
export const HistoryRead = (tag: string, ...roles: Role[]) =>
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
  );
