/** What globalSetup started, as seen from a test worker. */
export function testMongoUri(database: string): string {
  const base = process.env.TEST_MONGODB_URI;
  if (!base) throw new Error('TEST_MONGODB_URI is not set: run the tests with `npm test` (jest globalSetup starts the services)');
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A database name no other test file uses. */
export function uniqueDatabase(prefix: string): string {
  return `${prefix.replace(/\W/g, '_')}_${process.pid}_${Date.now().toString(36)}`;
}

export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set: run the tests with `npm test`');
  return url;
}
