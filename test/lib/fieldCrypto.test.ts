import { randomBytes } from 'node:crypto';
import { blindIndex, decryptValue, encryptValue, isEncrypted, keyIdOf, parseKeyring } from '../../lib/fieldCrypto';

const key = () => randomBytes(32).toString('base64');
const indexKey = key();

describe('field encryption', () => {
  const ring = parseKeyring(`k1:${key()}`, indexKey);

  it('round-trips a value, with a fresh IV each time', () => {
    const a = encryptValue(ring, 'phone', '+8613800138000');
    const b = encryptValue(ring, 'phone', '+8613800138000');
    expect(a).not.toBe(b);
    expect(a).not.toContain('13800138000');
    expect(isEncrypted(a)).toBe(true);
    expect(keyIdOf(a)).toBe('k1');
    expect(decryptValue(ring, 'phone', a)).toBe('+8613800138000');
  });

  it('refuses a value moved to another field or tampered with', () => {
    const stored = encryptValue(ring, 'phone', '+8613800138000');
    expect(() => decryptValue(ring, 'idNumber', stored)).toThrow();
    const parts = stored.split(':');
    parts[5] = Buffer.from('+8613900000000').toString('base64url');
    expect(() => decryptValue(ring, 'phone', parts.join(':'))).toThrow();
  });

  it('decrypts values of an older key after rotation, and says which key is missing', () => {
    const oldKey = key();
    const old = parseKeyring(`k1:${oldKey}`, indexKey);
    const stored = encryptValue(old, 'phone', '+8613800138000');
    const rotated = parseKeyring(`k2:${key()},k1:${oldKey}`, indexKey);
    expect(rotated.currentId).toBe('k2');
    expect(decryptValue(rotated, 'phone', stored)).toBe('+8613800138000');
    expect(keyIdOf(encryptValue(rotated, 'phone', 'x'))).toBe('k2');
    expect(() => decryptValue(parseKeyring(`k2:${key()}`, indexKey), 'phone', stored)).toThrow(/No key k1/);
  });

  it('gives equal values the same blind index, per field, without revealing them', () => {
    expect(blindIndex(ring, 'phone', '+8613800138000')).toBe(blindIndex(ring, 'phone', '+8613800138000'));
    expect(blindIndex(ring, 'phone', '+8613800138000')).not.toBe(blindIndex(ring, 'idNumber', '+8613800138000'));
    expect(blindIndex(parseKeyring(`k1:${key()}`, key()), 'phone', '+8613800138000')).not.toBe(blindIndex(ring, 'phone', '+8613800138000'));
  });

  it.each([
    ['k1', /id:base64key/],
    [`k1:${Buffer.alloc(16).toString('base64')}`, /must be 32 bytes/],
    [`k1:${key()},k1:${key()}`, /appears twice/],
  ])('refuses the key setting %s', (setting, message) => {
    expect(() => parseKeyring(setting, indexKey)).toThrow(message);
  });
});
