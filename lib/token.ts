/** Signs and verifies the JWTs that users present (HS256 with JWT_SECRET). */
import jwt from 'jsonwebtoken';
import { parseCaller, type Caller, type Role } from './caller';
import { UnauthenticatedError } from './errors';

export interface TokenClaims {
  readonly sub: string;
  readonly tenant: string;
  readonly roles: readonly Role[];
}

/** Signs a token for the given claims, valid for `expiresInSeconds` (default 12 hours). */
export function signToken(claims: TokenClaims, secret: string, expiresInSeconds = 12 * 3600): string {
  return jwt.sign({ tenant: claims.tenant, roles: claims.roles }, secret, {
    algorithm: 'HS256',
    subject: claims.sub,
    expiresIn: expiresInSeconds,
  });
}

/** Verifies signature and expiry and returns the caller; throws `UNAUTHENTICATED` otherwise. */
export function verifyToken(token: string, secret: string, deviceId?: string): Caller {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, secret, { algorithms: ['HS256'] });
  } catch (error) {
    const reason = error instanceof jwt.TokenExpiredError ? 'Token expired' : 'Token is not valid';
    throw new UnauthenticatedError(reason);
  }
  if (typeof payload === 'string') throw new UnauthenticatedError('Token is not valid');
  return parseCaller({ ...payload, ...(deviceId ? { deviceId } : {}) });
}
