/**
 * Rate limits per user and per tenant, counted in Redis so every gateway replica shares them
 * (fixed one-minute windows). Over the limit: RATE_LIMITED with `retryAfter` seconds. When Redis is
 * unreachable the limiter lets requests through without waiting: an outage of the counter must not
 * become one of the API.
 */
import type { Redis } from 'ioredis';
import type { Caller } from './caller';
import { CustomerGraphError } from './errors';
import type { Logger } from './logger';

export interface RateLimits {
  readonly perUserPerMinute: number;
  readonly perTenantPerMinute: number;
}

/** Too many requests; `retryAfter` says in how many seconds the window resets. */
export class RateLimitedError extends CustomerGraphError {
  constructor(readonly scope: 'user' | 'tenant', readonly retryAfter: number) {
    super(`Rate limit of this ${scope} reached: retry in ${retryAfter} s`, 'RATE_LIMITED', { retryAfter, scope });
  }
}

/** Returns `check(caller)`, which counts one request and throws RateLimitedError past a limit. */
export function createRateLimiter(redis: Redis, limits: RateLimits, logger: Logger, onLimited?: () => void): (caller: Caller) => Promise<void> {
  return async (caller) => {
    const now = Date.now();
    const window = Math.floor(now / 60_000);
    const retryAfter = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
    const userKey = `cg:rl:u:${caller.tenant}:${caller.sub}:${window}`;
    const tenantKey = `cg:rl:t:${caller.tenant}:${window}`;
    // While Redis is away, let requests through at once: queued behind its reconnect, every request
    // would wait seconds (a Redis restart made each write take about 4 s). createRedis logs the outage.
    if (redis.status !== 'ready') return;
    let counts: [number, number];
    try {
      const results = await redis.multi().incr(userKey).expire(userKey, 61).incr(tenantKey).expire(tenantKey, 61).exec();
      counts = [Number(results?.[0]?.[1]), Number(results?.[2]?.[1])];
    } catch (error) {
      logger.warn({ err: error }, 'rate limiter unavailable: request let through');
      return;
    }
    const scope = counts[0] > limits.perUserPerMinute ? 'user' : counts[1] > limits.perTenantPerMinute ? 'tenant' : undefined;
    if (scope) {
      onLimited?.();
      throw new RateLimitedError(scope, retryAfter);
    }
  };
}
