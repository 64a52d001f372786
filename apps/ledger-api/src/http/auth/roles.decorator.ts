import { SetMetadata } from '@nestjs/common';
import type { Role } from '../../config/config.js';

export const ROLES_KEY = 'ledger:roles';

/** The roles allowed on a route; a route without it is open to no one but the unauthenticated list. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const PUBLIC_KEY = 'ledger:public';

/** Reachable without a key (health, metrics, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
