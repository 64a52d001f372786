import type { ReadPoint, RowQuery } from '@ledger/projections';
import { problem, ProblemError } from '../http/problem-details.js';
import type { ReadOneQueryDto, ReadQueryDto } from './reads.dto.js';

/** Live (at least at minPosition), at a position, or as of a time: one of them, never two. */
export function readPointOf(query: ReadOneQueryDto, waitMs?: number): ReadPoint {
  const given = (['minPosition', 'atPosition', 'asOf'] as const).filter(
    (field) => query[field] !== undefined,
  );
  if (given.length > 1) {
    throw new ProblemError(
      problem(400, 'VALIDATION_FAILED', `${given.join(' and ')} cannot be combined`, {
        errors: given.map((field) => ({
          field,
          messages: [`${field} cannot be combined with ${given.filter((f) => f !== field).join(', ')}`],
        })),
      }),
    );
  }
  if (query.atPosition !== undefined) return { kind: 'at-position', position: query.atPosition };
  if (query.asOf !== undefined) return { kind: 'as-of', time: new Date(query.asOf) };
  return {
    kind: 'live',
    ...(query.minPosition !== undefined ? { minPosition: query.minPosition } : {}),
    ...(waitMs !== undefined ? { waitMs } : {}),
  };
}

/** Paging and equality filters of a list query. */
export function rowQueryOf(query: ReadQueryDto, where: Record<string, string | undefined>): RowQuery {
  return {
    where,
    ...(query.limit !== undefined ? { limit: query.limit } : {}),
    ...(query.after !== undefined ? { after: query.after } : {}),
  };
}
