/**
 * Reads and validates configuration from the environment, once.
 * No other module reads `process.env`: they take a `Config` (or parts of it).
 */
import type { RelayFaultPoint } from './changeRelay';
import { parseKeyring, type Keyring } from './fieldCrypto';
import { warnOnce } from './warnOnce';

export type NodeEnv = 'production' | 'development' | 'test';

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly logLevel: string;
  readonly mongodbUri: string | undefined;
  readonly redisUrl: string | undefined;
  readonly jwtSecret: string;
  /** True when JWT_SECRET was unset and the development default is in use (the gateway warns). */
  readonly jwtSecretIsDefault: boolean;
  /** RS256/ES256 keys of an identity provider (JWKS_URL); when set, HS256 tokens are refused. */
  readonly jwksUrl: string | undefined;
  /** Required `iss` and `aud` of user tokens, when set (JWT_ISSUER, JWT_AUDIENCE). */
  readonly jwtIssuer: string | undefined;
  readonly jwtAudience: string | undefined;
  /** Field encryption keys (FIELD_ENCRYPTION_KEY, `id:base64,…`, first is current) and blind-index key (BLIND_INDEX_KEY). */
  readonly keyring: Keyring;
  readonly keyringIsDefault: boolean;
  /** Key of the HMAC the gateway signs subgraph requests with (INTERNAL_SECRET). */
  readonly internalSecret: string;
  readonly internalSecretIsDefault: boolean;
  readonly host: string;
  readonly subgraphHost: string;
  readonly ports: Readonly<{ gateway: number; sales: number; service: number; marketing: number }>;
  /** Where each subgraph is reached; overrides the URLs written in the supergraph. */
  readonly subgraphUrls: Readonly<Record<SubgraphName, string>>;
  readonly supergraphPath: string;
  readonly defaultPhoneRegion: string;
  /** How long the gateway waits for a subgraph before failing that fetch. */
  readonly subgraphTimeoutMs: number;
  /** Revisions kept per record (HISTORY_LIMIT). */
  readonly historyLimit: number;
  /** Days the change feed keeps changes (CHANGE_RETENTION_DAYS); older cursors get CURSOR_EXPIRED. */
  readonly changeRetentionDays: number;
  /** How often the relay scans for pending changes besides being woken (RELAY_SCAN_INTERVAL_MS). */
  readonly relayScanIntervalMs: number;
  /** Browser origins allowed to open WebSockets (ALLOWED_ORIGINS, comma-separated); empty allows any. */
  readonly allowedOrigins: readonly string[];
  /** Requests per minute per user and per tenant (RATE_LIMIT_USER_PER_MINUTE, RATE_LIMIT_TENANT_PER_MINUTE). */
  readonly rateLimits: Readonly<{ perUserPerMinute: number; perTenantPerMinute: number }>;
  /** How long a relay's lease lasts without renewal before a standby relay takes over (RELAY_LEASE_MS). */
  readonly relayLeaseMs: number;
  /** Test-only fault injection: the relay SIGKILLs itself at this point (RELAY_FAULT); refused in production. */
  readonly relayFault: RelayFaultPoint | undefined;
}

export type SubgraphName = 'sales' | 'service' | 'marketing';
export const SUBGRAPH_NAMES: readonly SubgraphName[] = ['sales', 'service', 'marketing'];

type Env = Readonly<Record<string, string | undefined>>;

const DEV_JWT_SECRET = 'customer-graph-dev-secret-do-not-use-in-production';
const DEV_INTERNAL_SECRET = 'customer-graph-dev-internal-secret-do-not-use-in-production';

/** Thrown when a variable is set to something we cannot use; the message names it and what we expect. */
export class ConfigError extends Error {
  constructor(variable: string, expected: string, got: string | undefined) {
    super(`${variable} must be ${expected}; got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
    this.name = 'ConfigError';
  }
}

/** Builds a frozen, validated `Config` from an environment (default: this process's). */
export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = readNodeEnv(env);
  const ports = {
    gateway: readPort(env, 'PORT', 4000),
    sales: readPort(env, 'SALES_PORT', 4001),
    service: readPort(env, 'SERVICE_PORT', 4002),
    marketing: readPort(env, 'MARKETING_PORT', 4003),
  };
  const subgraphHost = env.SUBGRAPH_HOST ?? '127.0.0.1';
  const urlHost = subgraphHost === '0.0.0.0' ? '127.0.0.1' : subgraphHost;
  const subgraphUrls = {
    sales: readUrl(env, 'SALES_URL') ?? `http://${urlHost}:${ports.sales}/graphql`,
    service: readUrl(env, 'SERVICE_URL') ?? `http://${urlHost}:${ports.service}/graphql`,
    marketing: readUrl(env, 'MARKETING_URL') ?? `http://${urlHost}:${ports.marketing}/graphql`,
  };
  const config: Config = {
    nodeEnv,
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'warn' : 'info'),
    mongodbUri: readMongoUri(env),
    redisUrl: readRedisUrl(env),
    // With JWKS_URL, tokens are checked against the provider's keys and JWT_SECRET is not needed.
    jwtSecret: env.JWKS_URL ? (env.JWT_SECRET ?? '') : readSecret(env, 'JWT_SECRET', DEV_JWT_SECRET, nodeEnv),
    jwtSecretIsDefault: !env.JWT_SECRET && !env.JWKS_URL,
    jwksUrl: readUrl(env, 'JWKS_URL'),
    jwtIssuer: env.JWT_ISSUER || undefined,
    jwtAudience: env.JWT_AUDIENCE || undefined,
    keyring: readKeyring(env, nodeEnv),
    keyringIsDefault: !env.FIELD_ENCRYPTION_KEY,
    internalSecret: readSecret(env, 'INTERNAL_SECRET', DEV_INTERNAL_SECRET, nodeEnv),
    internalSecretIsDefault: !env.INTERNAL_SECRET,
    host: env.HOST ?? '0.0.0.0',
    subgraphHost,
    ports,
    subgraphUrls,
    supergraphPath: env.SUPERGRAPH_PATH ?? 'schema/supergraph.graphql',
    defaultPhoneRegion: readRegion(env),
    subgraphTimeoutMs: readPositiveInt(env, 'SUBGRAPH_TIMEOUT_MS', 10_000),
    historyLimit: readPositiveInt(env, 'HISTORY_LIMIT', 100),
    changeRetentionDays: readPositiveInt(env, 'CHANGE_RETENTION_DAYS', 30),
    relayScanIntervalMs: readPositiveInt(env, 'RELAY_SCAN_INTERVAL_MS', 1000),
    relayLeaseMs: readPositiveInt(env, 'RELAY_LEASE_MS', 10_000),
    allowedOrigins: Object.freeze((env.ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean)),
    rateLimits: {
      perUserPerMinute: readPositiveInt(env, 'RATE_LIMIT_USER_PER_MINUTE', 1200),
      perTenantPerMinute: readPositiveInt(env, 'RATE_LIMIT_TENANT_PER_MINUTE', 20_000),
    },
    relayFault: readRelayFault(env, nodeEnv),
  };
  return Object.freeze({ ...config, ports: Object.freeze(ports), subgraphUrls: Object.freeze(subgraphUrls) });
}

/** Returns `config.mongodbUri`, or throws a message that says how to get one. */
export function requireMongoUri(config: Config): string {
  if (!config.mongodbUri) {
    throw new ConfigError('MONGODB_URI', 'a mongodb:// URI (npm start and npm test provision a local server when it is unset)', undefined);
  }
  return config.mongodbUri;
}

function readNodeEnv(env: Env): NodeEnv {
  const value = env.NODE_ENV ?? 'development';
  if (value === 'production' || value === 'development' || value === 'test') return value;
  throw new ConfigError('NODE_ENV', 'one of production, development, test', value);
}

function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(name, 'an integer port from 0 to 65535', raw);
  return port;
}

function readPositiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(name, 'a positive integer', raw);
  return value;
}

function readUrl(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return raw;
  } catch {
    throw new ConfigError(name, 'an http(s) URL', raw);
  }
}

function readMongoUri(env: Env): string | undefined {
  const raw = env.MONGODB_URI;
  if (raw === undefined || raw === '') return undefined;
  if (!/^mongodb(\+srv)?:\/\//.test(raw)) throw new ConfigError('MONGODB_URI', 'a mongodb:// or mongodb+srv:// URI', raw);
  return raw;
}

function readRedisUrl(env: Env): string | undefined {
  const raw = env.REDIS_URL;
  if (raw === undefined || raw === '') return undefined;
  if (!/^rediss?:\/\//.test(raw)) throw new ConfigError('REDIS_URL', 'a redis:// or rediss:// URL', raw);
  return raw;
}

function readRegion(env: Env): string {
  const raw = env.DEFAULT_PHONE_REGION ?? 'CN';
  if (!/^[A-Z]{2}$/.test(raw)) throw new ConfigError('DEFAULT_PHONE_REGION', 'a two-letter ISO 3166 region code such as CN', raw);
  return raw;
}

// Development keys only: known to everyone who reads this file.
const DEV_FIELD_KEY = `dev:${Buffer.alloc(32, 7).toString('base64')}`;
const DEV_INDEX_KEY = Buffer.alloc(32, 9).toString('base64');

function readKeyring(env: Env, nodeEnv: NodeEnv): Keyring {
  const keys = env.FIELD_ENCRYPTION_KEY;
  const index = env.BLIND_INDEX_KEY;
  if (nodeEnv === 'production' && (!keys || !index)) {
    throw new ConfigError(keys ? 'BLIND_INDEX_KEY' : 'FIELD_ENCRYPTION_KEY', 'set in production (base64 of 32 random bytes; FIELD_ENCRYPTION_KEY as id:key[,id:key])', undefined);
  }
  try {
    return parseKeyring(keys || DEV_FIELD_KEY, index || DEV_INDEX_KEY);
  } catch (error) {
    throw new ConfigError(keys ? 'FIELD_ENCRYPTION_KEY/BLIND_INDEX_KEY' : 'BLIND_INDEX_KEY', (error as Error).message, '<hidden>');
  }
}

function readRelayFault(env: Env, nodeEnv: NodeEnv): RelayFaultPoint | undefined {
  const raw = env.RELAY_FAULT;
  if (raw === undefined || raw === '') return undefined;
  if (nodeEnv === 'production') throw new ConfigError('RELAY_FAULT', 'unset in production (it is a test switch)', raw);
  if (raw !== 'after-insert' && raw !== 'before-publish') throw new ConfigError('RELAY_FAULT', 'after-insert or before-publish', raw);
  return raw;
}

/** Prints the loud warnings of a development configuration (call from a server's start). */
export function warnAboutDevDefaults(config: Config): void {
  if (config.jwtSecretIsDefault) warnOnce('JWT_SECRET', 'JWT_SECRET is not set: using the built-in development secret. Never do this in production.');
  if (config.keyringIsDefault) warnOnce('FIELD_ENCRYPTION_KEY', 'FIELD_ENCRYPTION_KEY is not set: phones and ID numbers are encrypted with a public development key.');
  if (config.internalSecretIsDefault) warnOnce('INTERNAL_SECRET', 'INTERNAL_SECRET is not set: gateway and subgraphs sign with the built-in development secret.');
}

function readSecret(env: Env, name: string, devDefault: string, nodeEnv: NodeEnv): string {
  const raw = env[name];
  if (raw !== undefined && raw !== '') {
    if (raw.length < 16) throw new ConfigError(name, 'at least 16 characters', '<hidden>');
    return raw;
  }
  if (nodeEnv === 'production') throw new ConfigError(name, 'set in production (at least 16 characters)', undefined);
  return devDefault;
}
