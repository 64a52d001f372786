import type { Role } from '../config/config.js';
import { ReadRoute } from '../http/openapi.js';

/** A read of the ledger's history: roles, tag, bearer auth and the errors every such read can answer. */
export const HistoryRead = (tag: string, ...roles: Role[]) => ReadRoute(tag, roles);
