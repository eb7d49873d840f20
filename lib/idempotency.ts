/**
 * `clientMutationId` makes a write idempotent per tenant and actor: the first outcome (a result or
 * a refusal such as VERSION_CONFLICT) is stored, and a repeat gets it back without running again.
 */
import type { Connection } from 'mongoose';
import { CustomerGraphError, type ErrorCode } from './errors';

const COLLECTION = 'mutation_results';

interface StoredOutcome {
  _id: string;
  at: Date;
  result?: unknown;
  error?: { message: string; code: ErrorCode; extensions: Record<string, unknown> };
}

/** The idempotency key of a write, or undefined when the client sent no clientMutationId. */
export function makeMutationKey(tenant: string, actor: string, clientMutationId: string | null | undefined, operation: string): string | undefined {
  if (clientMutationId == null) return undefined;
  if (clientMutationId.length === 0 || clientMutationId.length > 128) {
    throw new CustomerGraphError('clientMutationId must be 1 to 128 characters', 'BAD_USER_INPUT', { field: 'clientMutationId' });
  }
  return `${tenant}:${actor}:${operation}:${clientMutationId}`;
}

/** Seals what is stored of an error's extensions (sensitive values) and opens it on replay. */
export interface OutcomeProtection {
  seal(extensions: Record<string, unknown>): Record<string, unknown>;
  open(extensions: Record<string, unknown>): Record<string, unknown>;
}

/**
 * Runs `run` once per key. A stored outcome is returned (or re-thrown) as it was; typed errors are
 * stored too, except those marked `retryable` (nothing was applied and a retry may succeed), and
 * other errors are not (they are worth a retry).
 */
export async function runOnce<R>(connection: Connection, key: string | undefined, run: () => Promise<R>, protection?: OutcomeProtection): Promise<R> {
  if (key === undefined) return run();
  const results = connection.collection<StoredOutcome>(COLLECTION);
  const prior = await results.findOne({ _id: key });
  if (prior) return replay<R>(prior, protection);
  let outcome: StoredOutcome;
  try {
    outcome = { _id: key, at: new Date(), result: await run() };
  } catch (error) {
    if (!(error instanceof CustomerGraphError) || error.extensions.retryable === true) throw error;
    const { code, ...extensions } = error.extensions as Record<string, unknown>;
    outcome = { _id: key, at: new Date(), error: { message: error.message, code: error.code, extensions: protection ? protection.seal(extensions) : extensions } };
  }
  try {
    await results.insertOne(outcome);
  } catch (error) {
    // A repeat raced us and stored first: every caller gets that first outcome.
    if ((error as { code?: number }).code !== 11000) throw error;
    const first = await results.findOne({ _id: key });
    if (first) return replay<R>(first, protection);
  }
  return replay<R>(outcome, protection);
}

function replay<R>(stored: StoredOutcome, protection: OutcomeProtection | undefined): R {
  if (stored.error) {
    const extensions = protection ? protection.open(stored.error.extensions) : stored.error.extensions;
    throw new CustomerGraphError(stored.error.message, stored.error.code, extensions);
  }
  return stored.result as R;
}
