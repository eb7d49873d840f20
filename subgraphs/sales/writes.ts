/** Sales writes: create, update, revert and merge customers, each one atomic versioned write. */
import { normalizeCustomerInput, type CustomerInput, type CustomerValues } from '../../lib/customerInput';
import { BadUserInputError, NotFoundError } from '../../lib/errors';
import { assertMayExecute, assertMayWrite } from '../../lib/guardFields';
import { makeMutationKey, runOnce, type OutcomeProtection } from '../../lib/idempotency';
import { SENSITIVE_FIELDS, openFields, openValue, phoneIndexOf, sealValue } from '../../lib/customerSecrets';
import { subject } from '@casl/ability';
import { makeNameKey } from '../../lib/nameKey';
import { parseObjectId } from '../../lib/objectId';
import { publicRecord } from '../../lib/publicRecord';
import { writeRecord, type WriteSpec } from '../../lib/writeRecord';
import { recordIdFor } from '../../lib/recordId';
import { diffFields, encodeFieldKey, valuesAtVersion, type FieldChange } from '../../lib/versionedRecord';
import type { WritePlan } from '../../lib/versionedWrite';
import type { SalesContext } from './loaders';
import type { CustomerRecord } from './models';

/** Creates a customer at version 1; with a clientMutationId a repeat returns the first result. */
export function createCustomer(ctx: SalesContext, input: CustomerInput, clientMutationId?: string | null): Promise<CustomerRecord> {
  const { caller, settings, models } = ctx;
  const key = makeMutationKey(caller.tenant, caller.sub, clientMutationId, 'createCustomer');
  assertMayExecute(ctx.ability, 'createCustomer');
  return runOnce(ctx.db, key, async () => {
    // The creator owns a new customer unless the input names an owner.
    const values: CustomerValues = { stage: 'LEAD', ownerId: caller.sub, ...normalizeCustomerInput(input, settings.defaultPhoneRegion, 'create') };
    assertMayWrite(ctx.ability, 'create', 'Customer', { ownerId: values.ownerId, consentEmail: false }, Object.keys(values));
    const _id = recordIdFor(key);
    const at = new Date();
    const { keyring } = settings;
    const changes: FieldChange[] = Object.entries(values).map(([field, value]) => ({ field, old: null, new: sealValue(keyring, field, value) }));
    const changedFields = changes.map((c) => c.field);
    const deviceId = caller.deviceId ?? null;
    const record: CustomerRecord = {
      _id,
      tenant: caller.tenant,
      name: values.name as string,
      company: null,
      email: null,
      ownerId: null,
      dealValue: null,
      ...(values as Partial<CustomerRecord>),
      phone: sealValue(keyring, 'phone', values.phone ?? null) as string | null,
      phoneIndex: phoneIndexOf(keyring, values.phone as string | null | undefined),
      idNumber: sealValue(keyring, 'idNumber', values.idNumber ?? null) as string | null,
      stage: values.stage as CustomerRecord['stage'],
      nameKey: makeNameKey(values.name as string, (values.company as string | null) ?? null),
      tags: [],
      segments: [],
      mergedInto: null,
      createdAt: at,
      updatedAt: at,
      version: 1,
      fieldVersions: Object.fromEntries(changedFields.map((f) => [encodeFieldKey(f), 1])),
      revisions: [{ version: 1, kind: 'create', changes, actor: caller.sub, deviceId, at, mutationKey: key ?? null }],
      pendingChanges: [{ version: 1, changedFields, actor: caller.sub, roles: caller.roles, deviceId, at }],
      hasPending: true,
    };
    try {
      await models.Customer.collection.insertOne(record);
    } catch (error) {
      // The same clientMutationId raced us here: its record is the result.
      if ((error as { code?: number }).code !== 11000) throw error;
      const existing = await models.Customer.findOne({ _id, tenant: caller.tenant }).lean<CustomerRecord>();
      if (!existing) throw error;
      return publicRecord(existing) as CustomerRecord;
    }
    ctx.wakeRelay(_id.toHexString());
    return publicRecord(record) as CustomerRecord;
  });
}

/** Writes the given fields on top of `expectedVersion`, or refuses with VERSION_CONFLICT. */
export function updateCustomer(ctx: SalesContext, id: string, expectedVersion: number, input: CustomerInput, clientMutationId?: string | null): Promise<CustomerRecord> {
  const key = makeMutationKey(ctx.caller.tenant, ctx.caller.sub, clientMutationId, 'updateCustomer');
  assertMayExecute(ctx.ability, 'updateCustomer');
  return runOnce(ctx.db, key, async () => {
    const values = normalizeCustomerInput(input, ctx.settings.defaultPhoneRegion, 'update');
    if (Object.keys(values).length === 0) throw new BadUserInputError('input', 'name at least one field to change');
    return write(ctx, id, {
      kind: 'update',
      expectedVersion,
      input: values,
      authorize: (current) => assertMayWrite(ctx.ability, 'update', 'Customer', customerConditions(current), Object.keys(values)),
      plan: (current) => planCustomerWrite(ctx, current, values),
      mutationKey: key,
    });
  }, conflictProtection(ctx));
}

/** Writes a new version that restores the values the customer had at `toVersion`. */
export function revertCustomer(ctx: SalesContext, id: string, toVersion: number, expectedVersion: number): Promise<CustomerRecord> {
  assertMayExecute(ctx.ability, 'revertCustomer');
  const restore = (current: CustomerRecord): CustomerValues => {
    if (!Number.isInteger(toVersion) || toVersion < 1 || toVersion >= current.version) {
      throw new BadUserInputError('toVersion', `must be from 1 to ${current.version - 1}, got ${toVersion}`);
    }
    const values = valuesAtVersion(current, toVersion);
    if (!values) throw new BadUserInputError('toVersion', `version ${toVersion} is older than the history kept for this customer`);
    assertMayWrite(ctx.ability, 'update', 'Customer', customerConditions(current), Object.keys(values));
    // History keeps sensitive values sealed; the write seals them again with the current key.
    return openFields(ctx.settings.keyring, values) as CustomerValues;
  };
  return write(ctx, id, { kind: 'revert', expectedVersion, input: restore, plan: (current) => planCustomerWrite(ctx, current, restore(current)) });
}

const MERGEABLE_FIELDS = ['company', 'email', 'phone', 'idNumber', 'ownerId', 'dealValue'] as const;

/**
 * Folds `duplicateId` into `survivorId`: the survivor's empty fields take the duplicate's values,
 * and the duplicate is marked `mergedInto` (it leaves lists and duplicate checks). Both are versioned writes.
 */
export async function mergeCustomers(ctx: SalesContext, survivorId: string, duplicateId: string): Promise<CustomerRecord> {
  assertMayExecute(ctx.ability, 'mergeCustomers');
  if (survivorId === duplicateId) throw new BadUserInputError('duplicateId', 'must differ from survivorId');
  const duplicate = await ctx.models.Customer.findOne({ _id: parseObjectId(duplicateId, 'duplicateId'), tenant: ctx.caller.tenant }).lean<CustomerRecord>();
  if (!duplicate) throw new NotFoundError('Customer', duplicateId);
  if (duplicate.mergedInto && duplicate.mergedInto !== survivorId) throw new BadUserInputError('duplicateId', `was already merged into ${duplicate.mergedInto}`);
  const survivor = await write(ctx, survivorId, {
    kind: 'merge',
    input: {},
    plan: (current) => {
      if (current.mergedInto) throw new BadUserInputError('survivorId', `was itself merged into ${current.mergedInto}`);
      // Only fields the caller may write travel (a manager's merge does not copy an ID number).
      const writable = (f: string) => ctx.ability.can('update', subject('Customer', customerConditions(current)) as never, f);
      const taken = Object.fromEntries(MERGEABLE_FIELDS.filter((f) => current[f] == null && duplicate[f] != null && writable(f)).map((f) => [f, duplicate[f]]));
      return planCustomerWrite(ctx, current, openFields(ctx.settings.keyring, taken) as CustomerValues);
    },
    field: 'survivorId',
  });
  // `data.mergedInto` tells the service and marketing followers to fold their part of the duplicate.
  await write(ctx, duplicateId, {
    kind: 'merge',
    input: {},
    plan: (current) => {
      if (current.mergedInto && current.mergedInto !== survivorId) throw new BadUserInputError('duplicateId', `was already merged into ${current.mergedInto}`);
      return { ...planCustomerWrite(ctx, current, { mergedInto: survivorId }), data: { mergedInto: survivorId } };
    },
    field: 'duplicateId',
  });
  // A merge the other way round may have run at the same time: never leave two customers merged into each other.
  const after = await ctx.models.Customer.findOne({ _id: parseObjectId(survivorId, 'survivorId'), tenant: ctx.caller.tenant }, { mergedInto: 1 }).lean<Pick<CustomerRecord, 'mergedInto'>>();
  if (after?.mergedInto === duplicateId) {
    await write(ctx, duplicateId, { kind: 'merge', input: {}, plan: (current) => planCustomerWrite(ctx, current, { mergedInto: null }), field: 'duplicateId' });
    throw new BadUserInputError('survivorId', `was merged into ${duplicateId} at the same time: merge again in one direction`);
  }
  return survivor;
}

// `field` names the argument that named the customer, for errors.
function write(ctx: SalesContext, id: string, spec: Omit<WriteSpec<CustomerRecord>, 'notFound'> & { field?: string }): Promise<CustomerRecord> {
  const { keyring } = ctx.settings;
  return writeRecord(ctx, 'sales', ctx.models.Customer, parseObjectId(id, spec.field ?? 'id'), {
    ...spec,
    notFound: () => new NotFoundError('Customer', id),
    seal: (field, value) => sealValue(keyring, field, value),
    // A VERSION_CONFLICT that shows a phone or ID number is a read of it: audited.
    open: (field, value) => {
      if (SENSITIVE_FIELDS.includes(field) && value != null) ctx.noteRead(id, field);
      return openValue(keyring, field, value);
    },
  });
}

// A stored VERSION_CONFLICT keeps the sensitive values of `current` sealed, like every stored copy.
function conflictProtection(ctx: SalesContext): OutcomeProtection {
  const { keyring } = ctx.settings;
  const map = (extensions: Record<string, unknown>, f: (field: string, value: unknown) => unknown) => {
    const current = extensions.current as Record<string, unknown> | undefined;
    return current ? { ...extensions, current: Object.fromEntries(Object.entries(current).map(([k, v]) => [k, f(k, v)])) } : extensions;
  };
  return { seal: (e) => map(e, (k, v) => sealValue(keyring, k, v)), open: (e) => map(e, (k, v) => openValue(keyring, k, v)) };
}

/** The values Customer rules may test (lib/policy `CustomerConditions`). */
export function customerConditions(record: Pick<CustomerRecord, 'ownerId' | 'consentEmail'>): { ownerId: string | null; consentEmail: boolean } {
  return { ownerId: record.ownerId, consentEmail: record.consentEmail === true };
}

// Compares in the clear, stores sealed: sensitive values are encrypted in the record and in its history.
// The normalised name + company key and the phone's blind index follow the fields they derive from.
function planCustomerWrite(ctx: SalesContext, current: CustomerRecord, values: CustomerValues): WritePlan {
  const { keyring } = ctx.settings;
  const plain = openFields(keyring, current as unknown as Record<string, unknown>);
  const changes = diffFields(plain, values).map((c) => ({ field: c.field, old: sealValue(keyring, c.field, c.old), new: sealValue(keyring, c.field, c.new) }));
  const set: Record<string, unknown> = Object.fromEntries(changes.map((c) => [c.field, c.new]));
  if ('name' in set || 'company' in set) {
    set.nameKey = makeNameKey((values.name as string | undefined) ?? current.name, 'company' in values ? (values.company as string | null) : current.company);
  }
  if ('phone' in set) set.phoneIndex = phoneIndexOf(keyring, values.phone as string | null);
  return { set, changes };
}
