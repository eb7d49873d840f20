/**
 * Starts MongoDB (mongo-java-server, memory backend, unless MONGODB_URI is set) and Redis
 * (unless REDIS_URL is set) once per test run, on free ports. Workers read the URLs from the env.
 */
import { provisionServices } from '../../tools/services';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const services = await provisionServices({ mongoBackend: 'memory', log: (m) => process.stderr.write(`\n[test services] ${m}`) });
  process.env.TEST_MONGODB_URI = services.mongodbUri;
  process.env.TEST_REDIS_URL = services.redisUrl;
  process.env.TEST_MONGO_KIND = services.mongoKind;
  process.stderr.write(`\n[test services] ready in ${Date.now() - started} ms: ${services.mongoKind}, ${services.redisKind}\n`);
  (globalThis as { __services?: typeof services }).__services = services;
}
