/**
 * Subgraphs answer only the gateway: the gateway signs the caller context it forwards with
 * HMAC-SHA256 (INTERNAL_SECRET) over a timestamp, a nonce, the caller header and the body hash;
 * a subgraph refuses unsigned, stale, replayed or tampered requests, `_service` and `_entities` included.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CALLER_HEADER, decodeCaller, type Caller } from './caller';
import { UnauthenticatedError } from './errors';

export const TIMESTAMP_HEADER = 'x-cg-timestamp';
export const NONCE_HEADER = 'x-cg-nonce';
export const SIGNATURE_HEADER = 'x-cg-signature';

/** How far a request's timestamp may be from the subgraph's clock. */
export const MAX_SKEW_MS = 60_000;

/** The headers that sign a request from the gateway. */
export function signRequest(secret: string, subgraph: string, callerHeader: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  const nonce = randomBytes(12).toString('base64url');
  return { [TIMESTAMP_HEADER]: timestamp, [NONCE_HEADER]: nonce, [SIGNATURE_HEADER]: signature(secret, subgraph, timestamp, nonce, callerHeader, body) };
}

/** Remembers nonces seen within the skew window, so a captured request cannot be sent again. */
export class NonceCache {
  private readonly seen = new Map<string, number>();

  /** Records `nonce`; false when it was already used. */
  remember(nonce: string, now: number): boolean {
    if (this.seen.size > 100_000 || this.seen.size % 1000 === 0) this.evict(now);
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now + 2 * MAX_SKEW_MS);
    return true;
  }

  private evict(now: number): void {
    for (const [nonce, expires] of this.seen) if (expires < now) this.seen.delete(nonce);
  }
}

/** Verifies a request's signature and returns the caller it carries; throws UNAUTHENTICATED otherwise. */
export function verifyRequest(
  secret: string,
  /** This subgraph's name: a request signed for another subgraph is refused. */
  subgraph: string,
  header: (name: string) => string | undefined,
  rawBody: Buffer | string,
  nonces: NonceCache,
  now = Date.now(),
): Caller {
  const callerHeader = header(CALLER_HEADER);
  const timestamp = header(TIMESTAMP_HEADER);
  const nonce = header(NONCE_HEADER);
  const given = header(SIGNATURE_HEADER);
  if (!callerHeader || !timestamp || !nonce || !given) throw new UnauthenticatedError('Subgraphs only answer the gateway: request is not signed');
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > MAX_SKEW_MS) throw new UnauthenticatedError('Signed request is stale');
  const expected = Buffer.from(signature(secret, subgraph, timestamp, nonce, callerHeader, rawBody));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw new UnauthenticatedError('Request signature does not match');
  if (!nonces.remember(nonce, now)) throw new UnauthenticatedError('Signed request was already used');
  return decodeCaller(callerHeader);
}

function signature(secret: string, subgraph: string, timestamp: string, nonce: string, callerHeader: string, body: Buffer | string): string {
  const bodyHash = createHash('sha256').update(body).digest('base64url');
  return createHmac('sha256', secret).update(`v1\n${subgraph}\n${timestamp}\n${nonce}\n${callerHeader}\n${bodyHash}`).digest('base64url');
}
