/** The `main` of a subgraph process: read config, start, stop cleanly on SIGINT/SIGTERM. */
import { loadConfig, requireMongoUri, warnAboutDevDefaults } from './config';
import { onShutdown } from './onShutdown';
import { startSubgraph, type SubgraphDefinition } from './startSubgraph';

/** Starts `definition` with settings from the environment; exits 1 with a clear message when it cannot. */
export function runSubgraphMain(definition: SubgraphDefinition<any, any>): void {
  (async () => {
    const config = loadConfig();
    warnAboutDevDefaults(config);
    const running = await startSubgraph(definition, {
      mongodbUri: requireMongoUri(config),
      redisUrl: config.redisUrl,
      internalSecret: config.internalSecret,
      port: config.ports[definition.name],
      host: config.subgraphHost,
      logLevel: config.logLevel,
      exposeInternals: config.nodeEnv === 'development',
      settings: { defaultPhoneRegion: config.defaultPhoneRegion, historyLimit: config.historyLimit, keyring: config.keyring },
    });
    onShutdown(() => running.stop());
  })().catch((error: unknown) => {
    process.stderr.write(`${definition.name} subgraph failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
