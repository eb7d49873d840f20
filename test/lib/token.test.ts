import jwt from 'jsonwebtoken';
import { decodeCaller, encodeCaller } from '../../lib/caller';
import { signToken, verifyToken } from '../../lib/token';

const SECRET = 'unit-test-secret-0123456789';

describe('tokens', () => {
  it('round-trips the claims and adds the device id', () => {
    const token = signToken({ sub: 'u1', tenant: 'acme', roles: ['sales'] }, SECRET);
    expect(verifyToken(token, SECRET, 'phone-1')).toEqual({ sub: 'u1', tenant: 'acme', roles: ['sales'], deviceId: 'phone-1' });
  });

  it.each([
    ['another secret', signToken({ sub: 'u1', tenant: 'acme', roles: ['sales'] }, 'another-secret-0123456789'), /not valid/],
    ['an expired token', jwt.sign({ sub: 'u1', tenant: 'acme', roles: ['sales'], exp: Math.floor(Date.now() / 1000) - 10 }, SECRET), /expired/],
    ['an unknown role', jwt.sign({ sub: 'u1', tenant: 'acme', roles: ['root'] }, SECRET), /roles/],
    ['no tenant', jwt.sign({ sub: 'u1', roles: ['admin'] }, SECRET), /tenant/],
    ['alg none', jwt.sign({ sub: 'u1', tenant: 'acme', roles: ['admin'] }, '', { algorithm: 'none' }), /not valid/],
  ])('refuses %s with UNAUTHENTICATED', (_name, token, message) => {
    expect(() => verifyToken(token, SECRET)).toThrow(message);
    expect(() => verifyToken(token, SECRET)).toThrow(expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } }));
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
