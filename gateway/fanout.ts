/**
 * One Redis subscriber connection per gateway process. A tenant's channel is subscribed while the
 * process has subscribers there (reference-counted). When Redis comes back after a drop, every
 * listener is told to resync: it catches up from the durable feed by itself.
 */
import type { Redis } from 'ioredis';
import { FeedMessageType, parseFeedMessage, tenantChannel, type FeedChange } from '../lib/changeFeed';
import type { Logger } from '../lib/logger';

export interface FanoutListener {
  /** A change of the listener's tenant, in publish (cursor) order. */
  onChange(change: FeedChange): void;
  /** Redis was away: changes may have been missed. */
  onResync(): void;
}

export interface Fanout {
  /** Starts delivering a tenant's changes to `listener`; resolves once Redis confirmed the subscription. Returns the unsubscribe. */
  subscribe(tenant: string, listener: FanoutListener): Promise<() => void>;
  close(): void;
}

/** Builds the fan-out on a dedicated (subscriber-mode) Redis connection. */
export function createFanout(redis: Redis, logger: Logger): Fanout {
  const listeners = new Map<string, Set<FanoutListener>>();
  // Every subscriber of a tenant waits for the same confirmation: none starts before Redis listens.
  const confirmed = new Map<string, Promise<void>>();
  let wasDown = false;
  redis.on('message', (channel: string, raw: string) => {
    let message;
    try {
      message = parseFeedMessage(raw);
    } catch (error) {
      logger.warn({ err: error, channel }, 'ignored a malformed feed message');
      return;
    }
    if (message.type !== FeedMessageType.Change) return;
    for (const listener of listeners.get(message.tenant) ?? []) listener.onChange(message.change);
  });
  redis.on('close', () => {
    wasDown = true;
  });
  redis.on('ready', () => {
    if (!wasDown) return;
    wasDown = false;
    logger.info('redis is back: subscribers catch up from the change feed');
    // Channels whose SUBSCRIBE failed during the outage are not re-subscribed by ioredis: do it for all.
    void Promise.all([...listeners.keys()].map((tenant) => redis.subscribe(tenantChannel(tenant)).catch(() => undefined))).then(() => {
      for (const set of listeners.values()) for (const listener of set) listener.onResync();
    });
  });

  return {
    async subscribe(tenant, listener) {
      let set = listeners.get(tenant);
      if (!set) {
        set = new Set();
        listeners.set(tenant, set);
      }
      set.add(listener);
      if (set.size === 1) {
        // ioredis re-subscribes by itself after a reconnect (autoResubscribe).
        confirmed.set(
          tenant,
          redis.subscribe(tenantChannel(tenant)).then(
            () => undefined,
            (error: unknown) => {
              // Retried for every tenant when Redis is back (see 'ready').
              logger.warn({ err: error, tenant }, 'could not subscribe to the tenant channel yet; the feed catch-up covers the gap');
            },
          ),
        );
      }
      await confirmed.get(tenant);
      return () => {
        set!.delete(listener);
        if (set!.size === 0) {
          listeners.delete(tenant);
          confirmed.delete(tenant);
          void redis.unsubscribe(tenantChannel(tenant)).catch(() => undefined);
        }
      };
    },
    close() {
      listeners.clear();
      redis.disconnect();
    },
  };
}
