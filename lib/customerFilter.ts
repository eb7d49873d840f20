/** Turns the public `CustomerFilter` into a tenant-scoped MongoDB filter, normalising what the client typed. */
import { sanitizeFilter } from 'mongoose';
import { normalizeEmail } from './email';
import { normalizePhone } from './phone';
import { BadUserInputError } from './errors';

export interface CustomerFilterInput {
  readonly search?: string | null;
  readonly stage?: string | null;
  readonly ownerId?: string | null;
  readonly phone?: string | null;
  readonly email?: string | null;
  readonly tag?: string | null;
  readonly segment?: string | null;
}

const MAX_SEARCH_LENGTH = 100;

/** Builds the filter; the tenant condition always comes first and is never optional. */
export function buildCustomerFilter(
  tenant: string,
  filter: CustomerFilterInput | null | undefined,
  defaultPhoneRegion: string,
  /** Phones are stored encrypted: they are found by their blind index. */
  phoneIndex: (phone: string) => string,
): Record<string, unknown> {
  // Merged customers live on inside their survivor: they leave every list.
  const query: Record<string, unknown> = { tenant, mergedInto: null };
  if (!filter) return query;
  if (filter.search != null) {
    const search = filter.search.trim();
    if (search.length > MAX_SEARCH_LENGTH) throw new BadUserInputError('filter.search', `must be at most ${MAX_SEARCH_LENGTH} characters`);
    if (search !== '') {
      const pattern = new RegExp(escapeRegExp(search), 'i');
      query.$or = [{ name: pattern }, { company: pattern }];
    }
  }
  const equalities: Record<string, unknown> = {};
  if (filter.stage != null) equalities.stage = filter.stage;
  if (filter.ownerId != null) equalities.ownerId = filter.ownerId;
  if (filter.phone != null) equalities.phoneIndex = phoneIndex(normalizePhone(filter.phone, defaultPhoneRegion, 'filter.phone'));
  if (filter.email != null) equalities.email = normalizeEmail(filter.email, 'filter.email');
  if (filter.tag != null) equalities.tags = filter.tag;
  if (filter.segment != null) equalities.segments = filter.segment;
  // GraphQL already types these as strings; sanitizeFilter makes sure no client value can ever act as
  // a query operator ({ $ne: … } becomes a literal to compare with).
  return { ...query, ...sanitizeFilter(equalities) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
