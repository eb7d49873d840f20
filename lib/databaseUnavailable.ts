/**
 * Recognises errors that mean the database could not be reached (a restart, a failover, a dropped
 * connection), so they reach clients as a retryable SUBGRAPH_UNAVAILABLE instead of an internal error.
 */
import mongoose from 'mongoose';

const { MongoNetworkError, MongoServerSelectionError, MongoNotConnectedError, MongoServerClosedError, MongoTopologyClosedError, MongoClientClosedError } = mongoose.mongo;

// The driver can also throw the socket's own error when it writes to a connection the server just
// closed (seen during a restart: EPIPE). A resolver talks to no other peer, so these mean the database.
const SOCKET_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED']);

/** True when `error` says the database is unreachable now (retrying later may succeed). */
export function isDatabaseUnavailable(error: unknown): boolean {
  // graphql wraps a thrown value that is not an Error of its own realm (a host error under jest's sandbox).
  const thrown = (error as { thrownValue?: unknown } | null)?.thrownValue;
  if (thrown !== undefined) return isDatabaseUnavailable(thrown);
  if (SOCKET_ERROR_CODES.has(String((error as { code?: unknown } | null)?.code))) return true;
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoServerClosedError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoClientClosedError ||
    error instanceof mongoose.Error.MongooseServerSelectionError
  ) {
    return true;
  }
  // mongoose queues operations while it reconnects and fails them after bufferTimeoutMS.
  return error instanceof mongoose.Error && /buffering timed out/.test(error.message);
}

/**
 * What a client is told. A write that failed this way was applied at most once: its outcome may be
 * unknown (the connection dropped after the database applied it), so it is retried with the same
 * clientMutationId, which applies it once.
 */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is unavailable; retry later (a write with the same clientMutationId is applied once)';
