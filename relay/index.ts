/** The change relay process: moves pending changes into the feed and publishes them to Redis. */
import { loadConfig, requireMongoUri, ConfigError } from '../lib/config';
import { onShutdown } from '../lib/onShutdown';
import { startRelay } from '../lib/startRelay';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.redisUrl) throw new ConfigError('REDIS_URL', 'a redis:// URL (the relay publishes changes there)', undefined);
  const running = await startRelay({
    mongodbUri: requireMongoUri(config),
    redisUrl: config.redisUrl,
    logLevel: config.logLevel,
    retentionDays: config.changeRetentionDays,
    scanIntervalMs: config.relayScanIntervalMs,
    leaseMs: config.relayLeaseMs,
    // Fault tests kill the relay at a precise step to prove nothing is lost or doubled.
    fault: config.relayFault ? { point: config.relayFault, action: () => process.kill(process.pid, 'SIGKILL') } : undefined,
  });
  onShutdown(() => running.stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`relay failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
