/** Marketing writes: tags, segments, lead score and consent, as one versioned write of the profile. */
import { BadUserInputError, NotFoundError, ProfileNotFoundError } from '../../lib/errors';
import { upsertEmptyProfile } from '../../lib/upsertEmptyProfile';
import { assertMayExecute, assertMayWrite } from '../../lib/guardFields';
import { makeMutationKey, runOnce } from '../../lib/idempotency';
import { parseObjectId } from '../../lib/objectId';
import { diffFields, type FieldChange } from '../../lib/versionedRecord';
import { writeRecord } from '../../lib/writeRecord';
import { emptyMarketingProfile, type MarketingContext } from './loaders';
import type { MarketingProfileRecord } from './models';

export interface MarketingProfileInput {
  readonly tags?: readonly string[] | null;
  readonly segments?: readonly string[] | null;
  readonly leadScore?: number | null;
  readonly consent?: { readonly email?: boolean | null; readonly sms?: boolean | null } | null;
}

/** Writes the given fields on top of `expectedVersion` (0 for a customer without a profile yet). */
export function updateMarketingProfile(ctx: MarketingContext, customerId: string, expectedVersion: number, input: MarketingProfileInput, clientMutationId?: string | null): Promise<MarketingProfileRecord> {
  const key = makeMutationKey(ctx.caller.tenant, ctx.caller.sub, clientMutationId, 'updateMarketingProfile');
  assertMayExecute(ctx.ability, 'updateMarketingProfile');
  return runOnce(ctx.db, key, () => {
    const values = normalizeMarketingInput(input);
    assertMayWrite(ctx.ability, 'update', 'MarketingProfile', {}, Object.keys(values));
    return writeRecord(ctx, 'marketing', ctx.models.MarketingProfile, parseObjectId(customerId, 'customerId'), {
      kind: 'update',
      expectedVersion,
      input: values,
      mutationKey: key,
      // No `initial`: profiles are created by the follower of sales' creations, in the customer's tenant.
      notFound: () => new ProfileNotFoundError('MarketingProfile', customerId),
      plan: (current) => {
        const changes = diffFields(current as unknown as Record<string, unknown>, values);
        const set: Record<string, unknown> = Object.fromEntries(changes.map((c) => [c.field, c.new]));
        if (changes.some((c) => c.field.startsWith('consent.'))) set['consent.updatedAt'] = new Date();
        return { set, changes, ...mirrorData(changes) };
      },
    });
  });
}

// Sales mirrors tags and segments (list filters) and email consent (who may read the email):
// the feed carries their new values.
const MIRRORED: Readonly<Record<string, string>> = { tags: 'tags', segments: 'segments', 'consent.email': 'consentEmail' };
function mirrorData(changes: readonly FieldChange[]): { data?: Record<string, unknown> } {
  const mirrored = changes.filter((c) => c.field in MIRRORED);
  return mirrored.length > 0 ? { data: Object.fromEntries(mirrored.map((c) => [MIRRORED[c.field], c.new])) } : {};
}

const LABEL = /^[\p{L}\p{N}][\p{L}\p{N} _.:-]{0,49}$/u;

function normalizeLabels(field: string, labels: readonly string[] | null | undefined): string[] {
  const clean = [...new Set((labels ?? []).map((label) => label.normalize('NFKC').trim()))];
  if (clean.length > 50) throw new BadUserInputError(`input.${field}`, 'at most 50 values');
  const bad = clean.find((label) => !LABEL.test(label));
  if (bad !== undefined) throw new BadUserInputError(`input.${field}`, `${JSON.stringify(bad)} must be 1 to 50 letters, digits, spaces or _.:-`);
  return clean;
}

function normalizeMarketingInput(input: MarketingProfileInput): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (input.tags !== undefined) values.tags = normalizeLabels('tags', input.tags);
  if (input.segments !== undefined) values.segments = normalizeLabels('segments', input.segments);
  if (input.leadScore !== undefined) {
    if (input.leadScore === null || !Number.isInteger(input.leadScore) || input.leadScore < 0 || input.leadScore > 100) {
      throw new BadUserInputError('input.leadScore', 'must be an integer from 0 to 100');
    }
    values.leadScore = input.leadScore;
  }
  if (input.consent) {
    for (const channel of ['email', 'sms'] as const) {
      const value = input.consent[channel];
      if (value === null) throw new BadUserInputError(`input.consent.${channel}`, 'cannot be cleared');
      if (value !== undefined) values[`consent.${channel}`] = value;
    }
  }
  if (Object.keys(values).length === 0) throw new BadUserInputError('input', 'name at least one field to change');
  return values;
}

/** Creates the empty profile (version 0) of a customer sales just created; idempotent. */
export async function createEmptyMarketingProfile(ctx: MarketingContext, customerId: string): Promise<void> {
  const { _id, ...defaults } = emptyMarketingProfile(customerId, ctx.caller.tenant);
  await upsertEmptyProfile(ctx.models.MarketingProfile.collection, _id, defaults);
}

/**
 * After sales merged `duplicateId` into `survivorId`: the survivor gains the duplicate's tags and
 * segments and the higher lead score; its consent stays its own. Idempotent, as followers must be.
 */
export async function foldMergedProfile(ctx: MarketingContext, duplicateId: string, survivorId: string): Promise<void> {
  const duplicate = await ctx.models.MarketingProfile.findOne({ _id: parseObjectId(duplicateId), tenant: ctx.caller.tenant }).lean<MarketingProfileRecord>();
  if (!duplicate) return;
  await writeRecord(ctx, 'marketing', ctx.models.MarketingProfile, parseObjectId(survivorId), {
    kind: 'merge',
    input: {},
    initial: () => emptyMarketingProfile(survivorId, ctx.caller.tenant),
    notFound: () => new NotFoundError('MarketingProfile', survivorId),
    plan: (current) => {
      const values = {
        tags: [...new Set([...current.tags, ...duplicate.tags])],
        segments: [...new Set([...current.segments, ...duplicate.segments])],
        leadScore: Math.max(current.leadScore, duplicate.leadScore),
      };
      const changes = diffFields(current as unknown as Record<string, unknown>, values);
      return { set: Object.fromEntries(changes.map((c) => [c.field, c.new])), changes, ...mirrorData(changes) };
    },
  });
}
