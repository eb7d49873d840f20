/** The rate limiter counts in a real Redis, and lets requests through at once while Redis is away. */
import { createRateLimiter } from '../../lib/rateLimiter';
import { createLogger } from '../../lib/logger';
import { createRedis } from '../../lib/redis';
import { freePort, startRedisServer } from '../../tools/services';

const caller = { sub: 'u1', tenant: 'rl', roles: ['sales'] as const };

it('refuses past the limit, then lets requests through without waiting for Redis to come back', async () => {
  const redis = await startRedisServer(await freePort());
  const client = createRedis(redis.url, createLogger('test', 'silent'));
  try {
    const limit = createRateLimiter(client, { perUserPerMinute: 2, perTenantPerMinute: 100 }, createLogger('test', 'silent'));
    await new Promise((resolve) => client.once('ready', resolve));
    await limit({ ...caller, roles: [...caller.roles] });
    await limit({ ...caller, roles: [...caller.roles] });
    await expect(limit({ ...caller, roles: [...caller.roles] })).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', scope: 'user' } });

    await redis.stop();
    // The client now waits before its next connection attempt; the limiter must not wait with it.
    await new Promise((resolve) => client.once('reconnecting', resolve));
    const order: string[] = [];
    client.once('error', () => order.push('next connection attempt failed'));
    await limit({ ...caller, sub: 'u2', roles: [...caller.roles] }).then(() => order.push('request let through'));
    expect(order).toEqual(['request let through']);
  } finally {
    client.disconnect();
    await redis.stop();
  }
});
