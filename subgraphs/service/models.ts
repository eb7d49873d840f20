/** Service owns a customer's service profile, and the tickets inside it. */
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { bindModel } from '../../lib/bindModel';
import type { Versioned } from '../../lib/versionedRecord';
import { versionedPaths } from '../../lib/versionedSchema';

export const TICKET_STATUSES = ['OPEN', 'PENDING', 'SOLVED', 'CLOSED'] as const;
export type TicketStatusValue = (typeof TICKET_STATUSES)[number];
export const PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const;
export type PriorityValue = (typeof PRIORITIES)[number];

export interface TicketRecord {
  _id: Types.ObjectId;
  subject: string;
  status: TicketStatusValue;
  priority: PriorityValue;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Tickets live inside the profile, so opening or closing one, the `openTickets` count and the
 * change-feed entry are one atomic document write.
 */
export interface ServiceProfileRecord extends Versioned {
  /** The customer's id: one profile per customer. */
  _id: Types.ObjectId;
  tenant: string;
  tier: string | null;
  openTickets: number;
  satisfaction: number | null;
  lastContactAt: Date | null;
  tickets: TicketRecord[];
  updatedAt: Date;
}

const ticketSchema = new Schema<TicketRecord>(
  {
    subject: { type: String, required: true },
    status: { type: String, enum: TICKET_STATUSES, required: true },
    priority: { type: String, enum: PRIORITIES, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

const serviceProfileSchema = new Schema<ServiceProfileRecord>(
  {
    tenant: { type: String, required: true },
    ...versionedPaths,
    tier: { type: String, default: null },
    openTickets: { type: Number, required: true, default: 0 },
    satisfaction: { type: Number, default: null },
    lastContactAt: { type: Date, default: null },
    tickets: { type: [ticketSchema], default: [] },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'service_profiles', versionKey: false, autoIndex: false, minimize: false },
);
serviceProfileSchema.index({ tenant: 1, _id: 1 });
serviceProfileSchema.index({ tenant: 1, 'tickets._id': 1 });

export type ServiceModels = {
  readonly ServiceProfile: Model<ServiceProfileRecord>;
};

/** Binds (once per connection) the service models to a connection. */
export function createServiceModels(connection: Connection): ServiceModels {
  return { ServiceProfile: bindModel<ServiceProfileRecord>(connection, 'ServiceProfile', serviceProfileSchema) };
}
