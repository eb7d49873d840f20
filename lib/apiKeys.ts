/**
 * Partner API keys: `cgk_<id>_<secret>`, stored as a SHA-256 hash of the secret, scoped to one
 * tenant, revocable. A key authenticates as the `partner` role.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Caller } from './caller';
import { UnauthenticatedError } from './errors';

const COLLECTION = 'api_keys';
const KEY_PATTERN = /^cgk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{32,64})$/;

export interface ApiKeyRecord {
  readonly _id: string;
  readonly tenant: string;
  readonly name: string;
  readonly secretHash: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  /** When set, the key may run only these operations (SHA-256 of the exact query text, as APQ hashes it). */
  readonly safelist?: readonly string[] | null;
}

/** The SHA-256 under which an operation is registered (the same hash automatic persisted queries use). */
export function operationHash(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}

/** Restricts a key to registered operations (`null` lifts the restriction); false when there is no such key. */
export async function setSafelist(connection: Connection, id: string, hashes: readonly string[] | null): Promise<boolean> {
  const result = await connection.collection<ApiKeyRecord>(COLLECTION).updateOne({ _id: id }, { $set: { safelist: hashes ? [...hashes] : null } });
  return result.matchedCount === 1;
}

/** Creates a key for a tenant; the full key is returned once and never stored. */
export async function createApiKey(connection: Connection, tenant: string, name: string): Promise<{ id: string; key: string }> {
  const id = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  await connection.collection<ApiKeyRecord>(COLLECTION).insertOne({ _id: id, tenant, name, secretHash: hash(secret), createdAt: new Date(), revokedAt: null });
  return { id, key: `cgk_${id}_${secret}` };
}

/** Revokes a key; false when there is no such active key. */
export async function revokeApiKey(connection: Connection, id: string): Promise<boolean> {
  const result = await connection.collection<ApiKeyRecord>(COLLECTION).updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: new Date() } });
  return result.modifiedCount === 1;
}

/** Keys (without hashes), newest first, optionally of one tenant. */
export async function listApiKeys(connection: Connection, tenant?: string): Promise<Array<Omit<ApiKeyRecord, 'secretHash'>>> {
  return connection
    .collection<ApiKeyRecord>(COLLECTION)
    .find(tenant ? { tenant } : {}, { projection: { secretHash: 0 } })
    .sort({ createdAt: -1 })
    .toArray();
}

/** Verifies keys against the store, remembering valid ones for `cacheMs` (a revocation takes effect within it). */
export function createApiKeyVerifier(connection: Connection, cacheMs = 5000): (key: string, deviceId?: string) => Promise<Caller> {
  const cache = new Map<string, { caller: Caller; until: number }>();
  return async (key, deviceId) => {
    const cached = cache.get(key);
    const now = Date.now();
    if (cached && cached.until > now) return withDevice(cached.caller, deviceId);
    const match = KEY_PATTERN.exec(key);
    if (!match) throw new UnauthenticatedError('API key is not valid');
    const record = await connection.collection<ApiKeyRecord>(COLLECTION).findOne({ _id: match[1] });
    const expected = Buffer.from(record?.secretHash ?? '0'.repeat(64), 'hex');
    const actual = Buffer.from(hash(match[2]), 'hex');
    if (!record || record.revokedAt || !timingSafeEqual(expected, actual)) throw new UnauthenticatedError('API key is not valid or was revoked');
    const caller: Caller = { sub: `apikey:${record._id}`, tenant: record.tenant, roles: ['partner'], ...(record.safelist ? { safelist: record.safelist } : {}) };
    if (cache.size > 10_000) cache.clear();
    if (cacheMs > 0) cache.set(key, { caller, until: now + cacheMs });
    return withDevice(caller, deviceId);
  };
}

function withDevice(caller: Caller, deviceId: string | undefined): Caller {
  return deviceId ? { ...caller, deviceId } : caller;
}

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
