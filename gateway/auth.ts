/** Who is calling the gateway: a user's JWT in `Authorization: Bearer …`, plus the device id. */
import type { Caller } from '../lib/caller';
import { UnauthenticatedError } from '../lib/errors';
import { verifyToken } from '../lib/token';

export interface AuthHeaders {
  readonly authorization?: string;
  readonly deviceId?: string;
}

/** Verifies the bearer token and returns the caller, or throws `UNAUTHENTICATED`. */
export function authenticate(headers: AuthHeaders, jwtSecret: string): Caller {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (!match) throw new UnauthenticatedError('Send a token: Authorization: Bearer <JWT> (npm run token prints one)');
  return verifyToken(match[1], jwtSecret, headers.deviceId || undefined);
}
