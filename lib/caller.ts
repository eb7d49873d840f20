/**
 * Who is calling: the identity the gateway verified, forwarded to the subgraphs.
 * Subgraphs scope every query by `caller.tenant`.
 */
import { UnauthenticatedError } from './errors';

export const ROLES = ['admin', 'manager', 'sales', 'service', 'marketing', 'partner'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  readonly sub: string;
  readonly tenant: string;
  readonly roles: readonly Role[];
  readonly deviceId?: string;
  /** Operations (SHA-256 hashes) a safelisted partner key may run; checked by the gateway, not forwarded. */
  readonly safelist?: readonly string[];
}

/** The header that carries the caller from the gateway to a subgraph. */
export const CALLER_HEADER = 'x-cg-caller';

const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Returns true when `value` names a known role. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Checks claims from a token or a header and returns a frozen `Caller`, or throws `UNAUTHENTICATED` naming what is wrong. */
export function parseCaller(claims: Record<string, unknown>): Caller {
  const { sub, tenant, roles, deviceId } = claims;
  if (typeof sub !== 'string' || sub === '') throw new UnauthenticatedError('Token has no subject (sub)');
  if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) throw new UnauthenticatedError('Token has no valid tenant');
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) {
    throw new UnauthenticatedError(`Token roles must be a non-empty list of ${ROLES.join(', ')}`);
  }
  if (deviceId !== undefined && (typeof deviceId !== 'string' || deviceId.length > 128)) {
    throw new UnauthenticatedError('Device id must be a string of at most 128 characters');
  }
  return Object.freeze({ sub, tenant, roles: Object.freeze([...roles]), ...(deviceId ? { deviceId } : {}) });
}

/** Encodes a caller for the `x-cg-caller` header. */
export function encodeCaller(caller: Caller): string {
  const { sub, tenant, roles, deviceId } = caller;
  return Buffer.from(JSON.stringify({ sub, tenant, roles, ...(deviceId ? { deviceId } : {}) })).toString('base64url');
}

/** Decodes and validates the `x-cg-caller` header. */
export function decodeCaller(header: string | undefined): Caller {
  if (!header) throw new UnauthenticatedError('Subgraphs only answer the gateway: caller header missing');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    throw new UnauthenticatedError('Caller header is not valid');
  }
  if (typeof claims !== 'object' || claims === null) throw new UnauthenticatedError('Caller header is not valid');
  return parseCaller(claims as Record<string, unknown>);
}
