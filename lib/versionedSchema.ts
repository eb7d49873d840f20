import { Schema } from 'mongoose';
import type { Versioned } from './versionedRecord';

/**
 * The mongoose paths of `Versioned` (lib/versionedRecord), spread into every versioned schema.
 * History and pending changes are written by lib/versionedWrite through the driver, so they stay untyped here.
 */
// Typed loosely on purpose: mongoose's inference cannot map Mixed arrays onto Revision[].
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const versionedPaths: Record<keyof Versioned, any> = {
  version: { type: Number, required: true, default: 1 },
  fieldVersions: { type: Schema.Types.Mixed, default: () => ({}) },
  revisions: { type: [Schema.Types.Mixed], default: () => [] },
  pendingChanges: { type: [Schema.Types.Mixed], default: () => [] },
  hasPending: { type: Boolean },
};
