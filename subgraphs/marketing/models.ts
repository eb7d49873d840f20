/** Marketing owns tags, segments, lead score and consent. */
import { bindModel } from '../../lib/bindModel';
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Versioned } from '../../lib/versionedRecord';
import { versionedPaths } from '../../lib/versionedSchema';

export interface ConsentRecord {
  email: boolean;
  sms: boolean;
  updatedAt: Date | null;
}

export interface MarketingProfileRecord extends Versioned {
  /** The customer's id: one profile per customer. */
  _id: Types.ObjectId;
  tenant: string;
  tags: string[];
  segments: string[];
  leadScore: number;
  consent: ConsentRecord;
  updatedAt: Date;
}

const marketingProfileSchema = new Schema<MarketingProfileRecord>(
  {
    tenant: { type: String, required: true },
    ...versionedPaths,
    tags: { type: [String], default: [] },
    segments: { type: [String], default: [] },
    leadScore: { type: Number, required: true, default: 0 },
    consent: {
      email: { type: Boolean, required: true, default: false },
      sms: { type: Boolean, required: true, default: false },
      updatedAt: { type: Date, default: null },
    },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'marketing_profiles', versionKey: false, autoIndex: false, minimize: false },
);
marketingProfileSchema.index({ tenant: 1, _id: 1 });
marketingProfileSchema.index({ tenant: 1, tags: 1 });

export type MarketingModels = {
  readonly MarketingProfile: Model<MarketingProfileRecord>;
};

/** Binds (once per connection) the marketing models to a connection. */
export function createMarketingModels(connection: Connection): MarketingModels {
  return { MarketingProfile: bindModel<MarketingProfileRecord>(connection, 'MarketingProfile', marketingProfileSchema) };
}
