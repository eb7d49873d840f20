import { GraphQLError } from 'graphql';

/** Every error code a client may branch on (DESIGN.md, "Errors"). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'VERSION_CONFLICT'
  | 'CURSOR_EXPIRED'
  | 'RATE_LIMITED'
  | 'QUERY_TOO_COMPLEX'
  | 'SUBGRAPH_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

/** Base class of every error we raise on purpose: it writes `extensions.code`. */
export class CustomerGraphError extends GraphQLError {
  constructor(message: string, readonly code: ErrorCode, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
    this.name = this.constructor.name;
  }
}

/** The caller sent no identity, or one we cannot verify. */
export class UnauthenticatedError extends CustomerGraphError {
  constructor(reason = 'Authentication required') {
    super(reason, 'UNAUTHENTICATED');
  }
}

/** The caller may not read or write the named fields. */
export class ForbiddenError extends CustomerGraphError {
  constructor(fields: readonly string[]) {
    super(`Not allowed: ${fields.join(', ')}`, 'FORBIDDEN', { fields });
  }
}

/** An argument is malformed or out of range; `field` names it (dotted for input objects). */
export class BadUserInputError extends CustomerGraphError {
  constructor(field: string, message: string) {
    super(`${field}: ${message}`, 'BAD_USER_INPUT', { field });
  }
}

/** The record does not exist, or is not visible to the caller's tenant. */
export class NotFoundError extends CustomerGraphError {
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`, 'NOT_FOUND', { id });
  }
}

/** The write names a version older than a change to one of its fields; `current` holds those fields' values now. */
export class VersionConflictError extends CustomerGraphError {
  constructor(readonly currentVersion: number, readonly conflictingFields: readonly string[], readonly current: Record<string, unknown>) {
    super(`Version conflict on ${conflictingFields.join(', ')}: the record is at version ${currentVersion}`, 'VERSION_CONFLICT', {
      currentVersion,
      conflictingFields,
      current,
    });
  }
}

/** A cursor older than the change feed's retention window: re-fetch and start again. */
export class CursorExpiredError extends CustomerGraphError {
  constructor(field = 'after') {
    super('This cursor is older than the change feed keeps: fetch the records again and start from a new cursor', 'CURSOR_EXPIRED', { field });
  }
}

/** A customer's profile does not exist yet (it is created within a second of the customer) or is not visible. */
export class ProfileNotFoundError extends CustomerGraphError {
  constructor(what: string, customerId: string) {
    super(`${what} of customer ${customerId} not found (a new customer's profile appears within a second: retry)`, 'NOT_FOUND', { id: customerId, retryable: true });
  }
}
