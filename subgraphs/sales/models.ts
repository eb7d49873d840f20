/** Sales owns the core of a customer. */
import { bindModel } from '../../lib/bindModel';
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Versioned } from '../../lib/versionedRecord';
import { versionedPaths } from '../../lib/versionedSchema';

export const STAGES = ['LEAD', 'QUALIFIED', 'PROPOSAL', 'WON', 'LOST'] as const;
export type StageValue = (typeof STAGES)[number];

export interface CustomerRecord extends Versioned {
  _id: Types.ObjectId;
  tenant: string;
  name: string;
  company: string | null;
  /** Trimmed and lower-cased. */
  email: string | null;
  /** E.164, encrypted at rest (lib/customerSecrets). */
  phone: string | null;
  /** Keyed blind index of the phone, for lookups and duplicate checks. */
  phoneIndex: string | null;
  /** Encrypted at rest. */
  idNumber: string | null;
  ownerId: string | null;
  stage: StageValue;
  dealValue: number | null;
  /** Normalised name + company, for duplicate detection (lib/nameKey). */
  nameKey: string;
  /**
   * Read projection of marketing-owned tags and segments, so `customers(filter: {tag})`
   * can page and count in one query. Marketing stays the owner; sales only mirrors.
   */
  tags: string[];
  segments: string[];
  /** Marketing's `consent.email`, mirrored: the marketing role may read `email` only where it is true. */
  consentEmail?: boolean;
  /** Marketing version the mirrored tags, segments and consent come from. */
  marketingMirrorVersion?: number;
  /** Set when this customer was merged into another one; merged customers leave lists and duplicate checks. */
  mergedInto: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const customerSchema = new Schema<CustomerRecord>(
  {
    tenant: { type: String, required: true },
    name: { type: String, required: true },
    company: { type: String, default: null },
    email: { type: String, default: null },
    phone: { type: String, default: null },
    phoneIndex: { type: String, default: null },
    idNumber: { type: String, default: null },
    ownerId: { type: String, default: null },
    stage: { type: String, enum: STAGES, required: true },
    dealValue: { type: Number, default: null },
    ...versionedPaths,
    nameKey: { type: String, required: true },
    tags: { type: [String], default: [] },
    segments: { type: [String], default: [] },
    consentEmail: { type: Boolean },
    marketingMirrorVersion: { type: Number },
    mergedInto: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'customers', versionKey: false, autoIndex: false, minimize: false },
);
// Tenant first in every index: every query is scoped by tenant.
customerSchema.index({ tenant: 1, _id: 1 });
customerSchema.index({ tenant: 1, phoneIndex: 1 });
customerSchema.index({ tenant: 1, email: 1 });
customerSchema.index({ tenant: 1, nameKey: 1 });
customerSchema.index({ tenant: 1, ownerId: 1, _id: 1 });
customerSchema.index({ tenant: 1, stage: 1, _id: 1 });
customerSchema.index({ tenant: 1, tags: 1 });
customerSchema.index({ tenant: 1, segments: 1 });

export type SalesModels = {
  readonly Customer: Model<CustomerRecord>;
};

/** Binds (once per connection) the sales models to a connection. */
export function createSalesModels(connection: Connection): SalesModels {
  return { Customer: bindModel<CustomerRecord>(connection, 'Customer', customerSchema) };
}
