import { loadConfig } from '../../lib/config';

describe('loadConfig', () => {
  it('has working defaults in development', () => {
    const config = loadConfig({});
    expect(config.ports).toEqual({ gateway: 4000, sales: 4001, service: 4002, marketing: 4003 });
    expect(config.subgraphUrls.sales).toBe('http://127.0.0.1:4001/graphql');
    expect(config.jwtSecretIsDefault).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets each variable win over the defaults', () => {
    const config = loadConfig({ PORT: '8080', SALES_URL: 'http://sales.internal/graphql', JWT_SECRET: 'a-long-enough-secret', MONGODB_URI: 'mongodb://db:27017/x' });
    expect(config.ports.gateway).toBe(8080);
    expect(config.subgraphUrls.sales).toBe('http://sales.internal/graphql');
    expect(config.jwtSecret).toBe('a-long-enough-secret');
    expect(config.mongodbUri).toBe('mongodb://db:27017/x');
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be an integer port/],
    [{ MONGODB_URI: 'postgres://x' }, /MONGODB_URI must be a mongodb:\/\//],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL must be a redis:\/\//],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be one of/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 16 characters/],
    [{ DEFAULT_PHONE_REGION: 'china' }, /DEFAULT_PHONE_REGION must be a two-letter/],
    [{ SALES_URL: 'ftp://x' }, /SALES_URL must be an http\(s\) URL/],
  ])('names the variable and what it expects for %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('refuses to start in production without a JWT secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set in production/);
  });
});
