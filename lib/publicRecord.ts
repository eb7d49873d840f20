import type { Versioned } from './versionedRecord';

/** A record without its bookkeeping (history, pending changes), as a mutation result is stored and returned. */
export function publicRecord<T extends Versioned>(record: T): Omit<T, 'revisions' | 'pendingChanges' | 'hasPending'> & Partial<Versioned> {
  const { revisions: _r, pendingChanges: _p, hasPending: _h, ...rest } = record;
  return rest;
}
