import jwt from 'jsonwebtoken';
import { decodeCaller, encodeCaller } from '../../lib/caller';
import { createTokenVerifier, signToken } from '../../lib/token';

const SECRET = 'unit-test-secret-0123456789';
const verify = createTokenVerifier({ secret: SECRET, issuer: 'https://id.example', audience: 'customer-graph' });
const claims = { sub: 'u1', tenant: 'acme', roles: ['sales' as const] };
const good = (extra: Parameters<typeof signToken>[3] = {}) => signToken(claims, SECRET, 3600, { issuer: 'https://id.example', audience: 'customer-graph', ...extra });

describe('tokens', () => {
  it('round-trips the claims and adds the device id', async () => {
    await expect(verify(good(), 'phone-1')).resolves.toEqual({ sub: 'u1', tenant: 'acme', roles: ['sales'], deviceId: 'phone-1' });
  });

  it.each([
    ['another secret', () => signToken(claims, 'another-secret-0123456789', 3600, { issuer: 'https://id.example', audience: 'customer-graph' }), /not valid/],
    ['an expired token', () => jwt.sign({ ...claims, iss: 'https://id.example', aud: 'customer-graph', exp: Math.floor(Date.now() / 1000) - 10 }, SECRET), /expired/],
    ['a token not valid yet', () => good({ notBefore: 3600 }), /not valid yet/],
    ['another issuer', () => signToken(claims, SECRET, 3600, { issuer: 'https://evil.example', audience: 'customer-graph' }), /issuer/],
    ['another audience', () => signToken(claims, SECRET, 3600, { issuer: 'https://id.example', audience: 'other-app' }), /audience/],
    ['an unknown role', () => jwt.sign({ sub: 'u1', tenant: 'acme', roles: ['root'], iss: 'https://id.example', aud: 'customer-graph', exp: Math.floor(Date.now() / 1000) + 60 }, SECRET), /roles/],
    ['no tenant', () => jwt.sign({ sub: 'u1', roles: ['admin'], iss: 'https://id.example', aud: 'customer-graph', exp: Math.floor(Date.now() / 1000) + 60 }, SECRET), /tenant/],
    ['alg none', () => jwt.sign({ ...claims, iss: 'https://id.example', aud: 'customer-graph', exp: Math.floor(Date.now() / 1000) + 60 }, '', { algorithm: 'none' }), /not valid/],
    ['no expiry', () => jwt.sign({ ...claims, iss: 'https://id.example', aud: 'customer-graph' }, SECRET), /not valid/],
  ])('refuses %s with UNAUTHENTICATED', async (_name, make, message) => {
    await expect(verify(make())).rejects.toThrow(message);
    await expect(verify(make())).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});

describe('caller header', () => {
  it('round-trips a caller', () => {
    const caller = { sub: 'u1', tenant: 'acme', roles: ['admin' as const] };
    expect(decodeCaller(encodeCaller(caller))).toEqual(caller);
  });
  it('refuses a missing or garbled header', () => {
    expect(() => decodeCaller(undefined)).toThrow(/caller header missing/);
    expect(() => decodeCaller('%%%')).toThrow(/not valid/);
  });
});
