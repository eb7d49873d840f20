/** Connects the change relay to MongoDB and Redis and starts it. */
import { ChangeRelay, type RelayFaultPoint } from './changeRelay';
import { FEED_SOURCES_COLLECTIONS } from './feedSources';
import { AuditLog } from './auditLog';
import { createAnomalyMonitor } from './anomalyMonitor';
import { createLogger } from './logger';
import { connectMongo } from './mongo';
import { createRedis } from './redis';

export interface RelayProcessOptions {
  readonly mongodbUri: string;
  readonly redisUrl: string;
  readonly logLevel: string;
  readonly retentionDays: number;
  readonly scanIntervalMs: number;
  readonly leaseMs?: number;
  readonly fault?: { readonly point: RelayFaultPoint; readonly action: () => void };
}

export interface RunningRelay {
  readonly relay: ChangeRelay;
  stop(): Promise<void>;
}

/** Starts a relay; resolves once it is listening for wake-ups. */
export async function startRelay(options: RelayProcessOptions): Promise<RunningRelay> {
  const logger = createLogger('relay', options.logLevel);
  const connection = await connectMongo(options.mongodbUri);
  const publisher = createRedis(options.redisUrl, logger);
  const subscriber = createRedis(options.redisUrl, logger);
  const audit = new AuditLog(connection);
  await audit.init();
  const relay = new ChangeRelay({
    audit,
    monitor: createAnomalyMonitor(logger),
    connection,
    publisher,
    subscriber,
    sources: FEED_SOURCES_COLLECTIONS,
    logger,
    retentionDays: options.retentionDays,
    scanIntervalMs: options.scanIntervalMs,
    leaseMs: options.leaseMs,
    fault: options.fault,
  });
  await relay.start();
  logger.info('change relay started');
  return {
    relay,
    async stop() {
      await relay.stop();
      publisher.disconnect();
      subscriber.disconnect();
      await connection.close();
    },
  };
}
