// Per-client rate limiting. Trusted addresses (loopback by default) skip the
// limiter: the course simulator, the embedded demo and local load tests call
// from one address. Everyone else gets `rateLimit.points` per window, keyed by
// address (or by the user id in the path): the simulator's request rate is a
// small share of a ~1,000 lines/s stream, far below the default 200/s, while a
// flood from one address is cut off at that rate.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config/load';
import { addressSet } from './client-address';

export interface Allowance {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (Retry-After when refused). */
  resetSeconds: number;
}

export interface Admission {
  /** null: a trusted client, nothing to wait for; otherwise the limiter's verdict. */
  check(address: string, userId: number): Promise<Allowance> | null;
}

export function createAdmission(rate: Readonly<Config['rateLimit']>): Admission {
  const trusted = addressSet(rate.trusted, 'rateLimit.trusted');
  const limiter = new RateLimiterMemory({ points: rate.points, duration: rate.windowSeconds });
  const verdict = (allowed: boolean, r: RateLimiterRes): Allowance => ({
    allowed,
    limit: rate.points,
    remaining: r.remainingPoints,
    resetSeconds: Math.max(1, Math.ceil(r.msBeforeNext / 1000)),
  });
  const byUser = rate.keyBy === 'user';
  return {
    check(address, userId) {
      if (trusted.has(address)) return null;
      return limiter.consume(byUser ? userId : address).then(
        (r) => verdict(true, r),
        (r: unknown) => {
          // The memory store only ever rejects with the limiter's verdict; anything else is a bug to surface.
          if (r instanceof RateLimiterRes) return verdict(false, r);
          throw r;
        },
      );
    },
  };
}
