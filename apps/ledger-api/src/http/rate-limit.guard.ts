import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthenticatedRequest } from './auth/auth.guard.js';
import { problem, ProblemError } from './problem-details.js';

/** Commands only (reads and probes are not limited here), counted per API key rather than per address. */
@Injectable()
export class CommandRateLimitGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    return Promise.resolve(request.method === 'GET' || !request.principal);
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    return Promise.resolve((request as unknown as AuthenticatedRequest).principal.name);
  }

  protected override throwThrottlingException(): Promise<void> {
    throw new ProblemError(problem(429, 'RATE_LIMITED', 'too many commands; slow down and retry'));
  }
}
