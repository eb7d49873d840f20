/** The gateway process: `PORT` (4000), `/graphql`, `/healthz`, `/readyz`. */
import { loadConfig, warnAboutDevDefaults } from '../lib/config';
import { onShutdown } from '../lib/onShutdown';
import { startGateway } from './startGateway';

async function main(): Promise<void> {
  const config = loadConfig();
  warnAboutDevDefaults(config);
  const gateway = await startGateway({
    port: config.ports.gateway,
    host: config.host,
    jwtSecret: config.jwtSecret,
    jwksUrl: config.jwksUrl,
    jwtIssuer: config.jwtIssuer,
    jwtAudience: config.jwtAudience,
    mongodbUri: config.mongodbUri,
    redisUrl: config.redisUrl,
    rateLimits: config.rateLimits,
    allowedOrigins: config.allowedOrigins,
    production: config.nodeEnv === 'production',
    internalSecret: config.internalSecret,
    supergraphPath: config.supergraphPath,
    subgraphUrls: config.subgraphUrls,
    subgraphTimeoutMs: config.subgraphTimeoutMs,
    logLevel: config.logLevel,
    exposeInternals: config.nodeEnv === 'development',
    // The console's role picker signs dev tokens; with JWKS the gateway holds no signing key.
    devTokenSecret: config.nodeEnv !== 'production' && !config.jwksUrl ? config.jwtSecret : undefined,
  });
  onShutdown(() => gateway.stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
