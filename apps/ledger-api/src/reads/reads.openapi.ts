import type { Role } from '../config/config.js';
import { ReadRoute } from '../http/openapi.js';

/** A read of a read model: the answers of every read, and those of minPosition, atPosition and asOf. */
export const ReadModelRead = (tag: string, ...roles: Role[]) =>
  ReadRoute(tag, roles, [
    {
      status: 400,
      description:
        'a query parameter failed validation, or minPosition/atPosition/asOf were combined (VALIDATION_FAILED)',
    },
    {
      status: 409,
      description:
        'atPosition is beyond the ledger’s last position (POSITION_BEYOND_LEDGER, with ledgerPosition)',
    },
    {
      status: 503,
      description:
        'minPosition not reached within the wait (POSITION_NOT_REACHED, with the position reached), or the database is unavailable (DATABASE_UNAVAILABLE)',
    },
  ]);
