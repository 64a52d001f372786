import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '../../config/config.js';
import { problem, ProblemError } from '../problem-details.js';
import { ApiKeyRing, type Principal } from './api-keys.js';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator.js';

export interface AuthenticatedRequest extends Request {
  principal: Principal;
}

/** Every route needs a bearer key of one of its roles, unless it is marked public. Deny by default. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ApiKeyRing) private readonly keys: ApiKeyRing,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const secret = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
    const principal = secret ? this.keys.authenticate(secret) : null;
    if (!principal) {
      throw new ProblemError(problem(401, 'UNAUTHENTICATED', 'send Authorization: Bearer <api key>'));
    }
    const allowed = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [];
    if (!allowed.includes(principal.role)) {
      throw new ProblemError(
        problem(403, 'FORBIDDEN', `the ${principal.role} role may not do this`, { allowedRoles: allowed }),
      );
    }
    request.principal = principal;
    return true;
  }
}
