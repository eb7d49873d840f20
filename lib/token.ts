/**
 * User tokens: HS256 with JWT_SECRET, or RS256/ES256 keys published at JWKS_URL. Signature, `exp`
 * and `nbf` are always checked, `iss` and `aud` when configured; anything else is UNAUTHENTICATED.
 */
import jwt from 'jsonwebtoken';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { parseCaller, type Caller, type Role } from './caller';
import { UnauthenticatedError } from './errors';

export interface TokenClaims {
  readonly sub: string;
  readonly tenant: string;
  readonly roles: readonly Role[];
}

export interface TokenSettings {
  /** HS256 key; used when `jwksUrl` is not set. */
  readonly secret: string;
  /** Where RS256/ES256 public keys are published; when set, only those algorithms are accepted. */
  readonly jwksUrl?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

/** Signs an HS256 token for the given claims, valid for `expiresInSeconds` (default 12 hours): dev tokens and tests. */
export function signToken(claims: TokenClaims, secret: string, expiresInSeconds = 12 * 3600, extra: { issuer?: string; audience?: string; notBefore?: number } = {}): string {
  return jwt.sign({ tenant: claims.tenant, roles: claims.roles }, secret, {
    algorithm: 'HS256',
    subject: claims.sub,
    expiresIn: expiresInSeconds,
    ...(extra.issuer ? { issuer: extra.issuer } : {}),
    ...(extra.audience ? { audience: extra.audience } : {}),
    ...(extra.notBefore ? { notBefore: extra.notBefore } : {}),
  });
}

/** A verifier bound to one configuration (the JWKS is fetched once and cached by jose). */
export function createTokenVerifier(settings: TokenSettings): (token: string, deviceId?: string) => Promise<Caller> {
  const key: Uint8Array | JWTVerifyGetKey = settings.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl)) : new TextEncoder().encode(settings.secret);
  const algorithms = settings.jwksUrl ? ['RS256', 'ES256'] : ['HS256'];
  return async (token, deviceId) => {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, { algorithms, issuer: settings.issuer, audience: settings.audience, requiredClaims: ['exp', 'sub'] }));
    } catch (error) {
      throw new UnauthenticatedError(describe(error));
    }
    return parseCaller({ ...payload, ...(deviceId ? { deviceId } : {}) });
  };
}

function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'Token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'Token is not valid yet';
    if (error.claim === 'iss') return 'Token issuer is not accepted';
    if (error.claim === 'aud') return 'Token audience is not accepted';
  }
  return 'Token is not valid';
}
