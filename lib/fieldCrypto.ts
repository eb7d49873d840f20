/**
 * Field encryption at rest: AES-256-GCM with a random IV per value and the key id stored beside the
 * ciphertext (`enc:v1:<keyId>:<iv>:<tag>:<data>`), so keys can rotate; the field name is bound in as
 * additional data so a value cannot be moved to another field. Lookups use a keyed blind index
 * (HMAC-SHA256), never the plaintext.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

export interface Keyring {
  /** Encrypts new values. */
  readonly currentId: string;
  /** Every key that may still be found on stored values, by id. */
  readonly keys: ReadonlyMap<string, Buffer>;
  /** Key of the blind index; independent of encryption keys, so rotating those keeps lookups working. */
  readonly indexKey: Buffer;
}

/** Thrown for a malformed key setting; the message names what is expected. */
export class KeyringError extends Error {
  override name = 'KeyringError';
}

/**
 * Parses `id:base64key[,id:base64key…]` (the first key is current) and a base64 blind-index key.
 * Each key must be 32 bytes.
 */
export function parseKeyring(encryptionKeys: string, indexKey: string): Keyring {
  const keys = new Map<string, Buffer>();
  for (const entry of encryptionKeys.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [id, encoded] = entry.split(':');
    if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || !encoded) throw new KeyringError('FIELD_ENCRYPTION_KEY must be id:base64key[,id:base64key…], e.g. k1:<32 random bytes in base64>');
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) throw new KeyringError(`FIELD_ENCRYPTION_KEY: key ${id} must be 32 bytes (base64 of 32 random bytes), got ${key.length}`);
    if (keys.has(id)) throw new KeyringError(`FIELD_ENCRYPTION_KEY: key id ${id} appears twice`);
    keys.set(id, key);
  }
  if (keys.size === 0) throw new KeyringError('FIELD_ENCRYPTION_KEY has no key');
  const index = Buffer.from(indexKey, 'base64');
  if (index.length < 32) throw new KeyringError('BLIND_INDEX_KEY must be at least 32 bytes, base64-encoded');
  return { currentId: [...keys.keys()][0], keys, indexKey: index };
}

/** Encrypts `plaintext` for `field` with the current key. */
export function encryptValue(keyring: Keyring, field: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyring.keys.get(keyring.currentId)!, iv);
  cipher.setAAD(Buffer.from(field));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${PREFIX}${keyring.currentId}:${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${data.toString('base64url')}`;
}

/** Decrypts a stored value of `field`; a value stored before encryption (plaintext) is returned as it is. */
export function decryptValue(keyring: Keyring, field: string, stored: string): string {
  if (!stored.startsWith(PREFIX)) return stored;
  const [keyId, iv, tag, data] = stored.slice(PREFIX.length).split(':');
  const key = keyring.keys.get(keyId);
  if (!key) throw new KeyringError(`No key ${keyId} in FIELD_ENCRYPTION_KEY to decrypt ${field}: add it back until npm run rotate-key has finished`);
  // A fixed 16-byte tag: GCM would otherwise accept truncated tags, which are easier to forge.
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(field));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

/** The id of the key a stored value is encrypted with, or undefined for plaintext. */
export function keyIdOf(stored: string): string | undefined {
  return stored.startsWith(PREFIX) ? stored.slice(PREFIX.length).split(':')[0] : undefined;
}

/** True when `value` is a ciphertext made by `encryptValue`. */
export function isEncrypted(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/** The keyed blind index of a normalised value, for equality lookups. */
export function blindIndex(keyring: Keyring, field: string, value: string): string {
  return createHmac('sha256', keyring.indexKey).update(`${field}\u0000${value}`).digest('base64url').slice(0, 32);
}
