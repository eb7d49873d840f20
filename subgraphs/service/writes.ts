/** Service writes: the profile's own fields and its tickets, each one atomic versioned write of the profile. */
import { Types } from 'mongoose';
import { BadUserInputError, NotFoundError, ProfileNotFoundError } from '../../lib/errors';
import { upsertEmptyProfile } from '../../lib/upsertEmptyProfile';
import { assertMayExecute, assertMayWrite } from '../../lib/guardFields';
import { makeMutationKey, runOnce } from '../../lib/idempotency';
import { parseObjectId } from '../../lib/objectId';
import { recordIdFor } from '../../lib/recordId';
import { diffFields } from '../../lib/versionedRecord';
import type { WritePlan } from '../../lib/versionedWrite';
import { writeRecord, type WriteSpec } from '../../lib/writeRecord';
import { emptyServiceProfile, type ServiceContext } from './loaders';
import type { PriorityValue, ServiceProfileRecord, TicketRecord, TicketStatusValue } from './models';

export interface ServiceProfileInput {
  readonly tier?: string | null;
  readonly satisfaction?: number | null;
  readonly lastContactAt?: Date | null;
}

/** Writes the given profile fields on top of `expectedVersion` (0 for a customer without a profile yet). */
export function updateServiceProfile(ctx: ServiceContext, customerId: string, expectedVersion: number, input: ServiceProfileInput, clientMutationId?: string | null): Promise<ServiceProfileRecord> {
  const key = makeMutationKey(ctx.caller.tenant, ctx.caller.sub, clientMutationId, 'updateServiceProfile');
  assertMayExecute(ctx.ability, 'updateServiceProfile');
  return runOnce(ctx.db, key, () => {
    const values = normalizeProfileInput(input);
    assertMayWrite(ctx.ability, 'update', 'ServiceProfile', {}, Object.keys(values));
    return write(ctx, customerId, {
      kind: 'update',
      expectedVersion,
      input: values,
      mutationKey: key,
      plan: (current) => {
        const changes = diffFields(current as unknown as Record<string, unknown>, values);
        return { set: Object.fromEntries(changes.map((c) => [c.field, c.new])), changes };
      },
    });
  });
}

/** Opens a ticket: a new version of the profile, with `openTickets` counted in the same write. */
export function openTicket(ctx: ServiceContext, customerId: string, input: { subject: string; priority?: PriorityValue | null }, clientMutationId?: string | null): Promise<TicketRecord> {
  const key = makeMutationKey(ctx.caller.tenant, ctx.caller.sub, clientMutationId, 'openTicket');
  assertMayExecute(ctx.ability, 'openTicket');
  assertMayWrite(ctx.ability, 'update', 'ServiceProfile', {}, ['tickets', 'openTickets']);
  return runOnce(ctx.db, key, async () => {
    const subject = input.subject.normalize('NFKC').replace(/\s+/g, ' ').trim();
    if (subject === '' || subject.length > 200) throw new BadUserInputError('input.subject', 'must be 1 to 200 characters');
    const ticketId = recordIdFor(key);
    const profile = await write(ctx, customerId, {
      kind: 'update',
      input: {},
      mutationKey: key,
      plan: (current) => {
        if (current.tickets.some((t) => t._id.equals(ticketId))) return { set: {}, changes: [] };
        const now = new Date();
        const ticket: TicketRecord = { _id: ticketId, subject, status: 'OPEN', priority: input.priority ?? 'NORMAL', createdAt: now, updatedAt: now };
        return {
          set: { openTickets: current.openTickets + 1, lastContactAt: now },
          push: { tickets: ticket },
          changes: [
            { field: 'tickets', old: null, new: ticketId.toHexString() },
            { field: 'openTickets', old: current.openTickets, new: current.openTickets + 1 },
          ],
        };
      },
    });
    return findTicket(profile, ticketId.toHexString());
  });
}

/** Moves a ticket to `status`, keeping `openTickets` in step. */
export async function setTicketStatus(ctx: ServiceContext, id: string, status: TicketStatusValue): Promise<TicketRecord> {
  assertMayExecute(ctx.ability, 'setTicketStatus');
  assertMayWrite(ctx.ability, 'update', 'ServiceProfile', {}, ['tickets', 'openTickets']);
  const ticketId = parseObjectId(id);
  const owner = await ctx.models.ServiceProfile.findOne({ tenant: ctx.caller.tenant, 'tickets._id': ticketId }, { _id: 1 }).lean<{ _id: Types.ObjectId }>();
  if (!owner) throw new NotFoundError('Ticket', id);
  const profile = await write(ctx, owner._id.toHexString(), {
    kind: 'update',
    input: {},
    plan: (current): WritePlan => {
      const ticket = findTicket(current, id);
      if (ticket.status === status) return { set: {}, changes: [] };
      const openTickets = current.tickets.filter((t) => isOpen(t._id.equals(ticketId) ? status : t.status)).length;
      return {
        set: { 'tickets.$[t].status': status, 'tickets.$[t].updatedAt': new Date(), openTickets },
        arrayFilters: [{ 't._id': ticketId }],
        changes: [
          { field: 'tickets', old: `${id}:${ticket.status}`, new: `${id}:${status}` },
          ...(openTickets !== current.openTickets ? [{ field: 'openTickets', old: current.openTickets, new: openTickets }] : []),
        ],
      };
    },
  });
  return findTicket(profile, id);
}

// Profiles are created by the follower of sales' creations (in the customer's tenant), never by a
// client's first write: an id guessed from another tenant finds nothing to write.
function write(ctx: ServiceContext, customerId: string, spec: Omit<WriteSpec<ServiceProfileRecord>, 'notFound'>): Promise<ServiceProfileRecord> {
  return writeRecord(ctx, 'service', ctx.models.ServiceProfile, parseObjectId(customerId, 'customerId'), {
    ...spec,
    notFound: () => new ProfileNotFoundError('ServiceProfile', customerId),
  });
}

/** Creates the empty profile (version 0) of a customer sales just created; idempotent. */
export async function createEmptyServiceProfile(ctx: ServiceContext, customerId: string): Promise<void> {
  const { _id, ...defaults } = emptyServiceProfile(customerId, ctx.caller.tenant);
  await upsertEmptyProfile(ctx.models.ServiceProfile.collection, _id, defaults);
}

function findTicket(profile: ServiceProfileRecord, id: string): TicketRecord {
  const ticket = profile.tickets.find((t) => t._id.toHexString() === id);
  if (!ticket) throw new NotFoundError('Ticket', id);
  return ticket;
}

function isOpen(status: TicketStatusValue): boolean {
  return status === 'OPEN' || status === 'PENDING';
}

function normalizeProfileInput(input: ServiceProfileInput): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (input.tier !== undefined) {
    const tier = input.tier?.trim() ?? '';
    if (tier.length > 50) throw new BadUserInputError('input.tier', 'must be at most 50 characters');
    values.tier = tier === '' ? null : tier;
  }
  if (input.satisfaction !== undefined) {
    if (input.satisfaction !== null && !(input.satisfaction >= 0 && input.satisfaction <= 5)) throw new BadUserInputError('input.satisfaction', 'must be from 0 to 5');
    values.satisfaction = input.satisfaction;
  }
  if (input.lastContactAt !== undefined) values.lastContactAt = input.lastContactAt;
  if (Object.keys(values).length === 0) throw new BadUserInputError('input', 'name at least one field to change');
  return values;
}

/**
 * After sales merged `duplicateId` into `survivorId`: its tickets move to the survivor, whose empty
 * tier and satisfaction take the duplicate's. Idempotent (tickets are matched by id), as followers must be.
 */
export async function foldMergedProfile(ctx: ServiceContext, duplicateId: string, survivorId: string): Promise<void> {
  const duplicate = await ctx.models.ServiceProfile.findOne({ _id: parseObjectId(duplicateId), tenant: ctx.caller.tenant }).lean<ServiceProfileRecord>();
  if (!duplicate) return;
  await write(ctx, survivorId, {
    initial: () => emptyServiceProfile(survivorId, ctx.caller.tenant),
    kind: 'merge',
    input: {},
    plan: (current) => {
      const moving = duplicate.tickets.filter((t) => !current.tickets.some((c) => c._id.equals(t._id)));
      const set: Record<string, unknown> = {};
      if (current.tier == null && duplicate.tier != null) set.tier = duplicate.tier;
      if (current.satisfaction == null && duplicate.satisfaction != null) set.satisfaction = duplicate.satisfaction;
      if (moving.length > 0) set.openTickets = [...current.tickets, ...moving].filter((t) => isOpen(t.status)).length;
      const changes = diffFields(current as unknown as Record<string, unknown>, set);
      if (moving.length > 0) changes.push({ field: 'tickets', old: null, new: moving.map((t) => t._id.toHexString()) });
      return { set, changes, ...(moving.length > 0 ? { push: { tickets: { $each: moving } } } : {}) };
    },
  });
  await write(ctx, duplicateId, {
    kind: 'merge',
    input: {},
    plan: (current) =>
      current.tickets.length === 0
        ? { set: {}, changes: [] }
        : { set: { tickets: [], openTickets: 0 }, changes: [{ field: 'tickets', old: current.tickets.map((t) => t._id.toHexString()), new: [] }] },
  });
}
