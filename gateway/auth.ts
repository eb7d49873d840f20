/** Who is calling the gateway: a user's JWT (`Authorization: Bearer …`) or a partner's `x-api-key`, plus the device id. */
import type { Caller } from '../lib/caller';
import { UnauthenticatedError } from '../lib/errors';

export interface AuthHeaders {
  readonly authorization?: string;
  readonly apiKey?: string;
  readonly deviceId?: string;
}

export interface Authenticators {
  readonly verifyToken: (token: string, deviceId?: string) => Promise<Caller>;
  readonly verifyApiKey?: (key: string, deviceId?: string) => Promise<Caller>;
}

/** Returns the caller, or throws `UNAUTHENTICATED` saying what is missing or wrong. */
export function createAuthenticate(authenticators: Authenticators): (headers: AuthHeaders) => Promise<Caller> {
  return async ({ authorization, apiKey, deviceId }) => {
    const device = deviceId?.trim() || undefined;
    if (device && device.length > 128) throw new UnauthenticatedError('x-device-id must be at most 128 characters');
    if (apiKey) {
      if (!authenticators.verifyApiKey) throw new UnauthenticatedError('API keys are not enabled on this gateway');
      return authenticators.verifyApiKey(apiKey, device);
    }
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw new UnauthenticatedError('Send a token (Authorization: Bearer <JWT>, see npm run token) or a partner key (x-api-key)');
    return authenticators.verifyToken(match[1], device);
  };
}
