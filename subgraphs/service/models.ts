/** Service owns a customer's service profile and tickets. */
import { bindModel } from '../../lib/bindModel';
import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const TICKET_STATUSES = ['OPEN', 'PENDING', 'SOLVED', 'CLOSED'] as const;
export type TicketStatusValue = (typeof TICKET_STATUSES)[number];
export const PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const;
export type PriorityValue = (typeof PRIORITIES)[number];

export interface ServiceProfileRecord {
  /** The customer's id: one profile per customer. */
  _id: Types.ObjectId;
  tenant: string;
  version: number;
  tier: string | null;
  /** Kept in step with the tickets by every ticket write, so reading it costs no count. */
  openTickets: number;
  satisfaction: number | null;
  lastContactAt: Date | null;
  updatedAt: Date;
}

export interface TicketRecord {
  _id: Types.ObjectId;
  tenant: string;
  customerId: Types.ObjectId;
  subject: string;
  status: TicketStatusValue;
  priority: PriorityValue;
  createdAt: Date;
  updatedAt: Date;
}

const serviceProfileSchema = new Schema<ServiceProfileRecord>(
  {
    tenant: { type: String, required: true },
    version: { type: Number, required: true, default: 1 },
    tier: { type: String, default: null },
    openTickets: { type: Number, required: true, default: 0 },
    satisfaction: { type: Number, default: null },
    lastContactAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'service_profiles', versionKey: false, autoIndex: false },
);
serviceProfileSchema.index({ tenant: 1, _id: 1 });

const ticketSchema = new Schema<TicketRecord>(
  {
    tenant: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    subject: { type: String, required: true },
    status: { type: String, enum: TICKET_STATUSES, required: true },
    priority: { type: String, enum: PRIORITIES, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'tickets', versionKey: false, autoIndex: false },
);
ticketSchema.index({ tenant: 1, customerId: 1, createdAt: 1 });

export type ServiceModels = {
  readonly ServiceProfile: Model<ServiceProfileRecord>;
  readonly Ticket: Model<TicketRecord>;
};

/** Binds (once per connection) the service models to a connection. */
export function createServiceModels(connection: Connection): ServiceModels {
  return {
    ServiceProfile: bindModel<ServiceProfileRecord>(connection, 'ServiceProfile', serviceProfileSchema),
    Ticket: bindModel<TicketRecord>(connection, 'Ticket', ticketSchema),
  };
}
