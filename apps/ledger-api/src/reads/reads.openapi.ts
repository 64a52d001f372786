import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Role } from '../config/config.js';
import { Roles } from '../http/auth/roles.decorator.js';

const problem = (description: string) => ({
  description: `${description} (application/problem+json with a machine code)`,
});

/** A read of a read model: roles, tag, bearer auth and the answers every such read can give. */
export const ReadModelRead = (tag: string, ...roles: Role[]) =>
  applyDecorators(
    Roles(...roles),
    ApiTags(tag),
    ApiBearerAuth(),
    ApiResponse({
      status: 400,
      ...problem(
        'a query parameter failed validation, or minPosition/atPosition/asOf were combined (VALIDATION_FAILED)',
      ),
    }),
    ApiResponse({ status: 401, ...problem('no or unknown API key (UNAUTHENTICATED)') }),
    ApiResponse({ status: 403, ...problem(`the key’s role is not one of ${roles.join(', ')} (FORBIDDEN)`) }),
    ApiResponse({
      status: 409,
      ...problem(
        'atPosition is beyond the ledger’s last position (POSITION_BEYOND_LEDGER, with ledgerPosition)',
      ),
    }),
    ApiResponse({
      status: 503,
      ...problem(
        'minPosition not reached within the wait (POSITION_NOT_REACHED, with the position reached), or the database is unavailable',
      ),
    }),
  );
