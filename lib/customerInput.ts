/** Cleans the sales-owned customer fields a client writes: trimmed, normalised, or refused naming the field. */
import { BadUserInputError } from './errors';
import { normalizeEmail } from './email';
import { normalizePhone } from './phone';

export interface CustomerInput {
  readonly name?: string | null;
  readonly company?: string | null;
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly idNumber?: string | null;
  readonly ownerId?: string | null;
  readonly stage?: string | null;
  readonly dealValue?: number | null;
}

/** Field → clean value, for the fields present in `input` (null clears a field). */
export type CustomerValues = Record<string, string | number | null>;

const TEXT_LIMIT = 200;

/**
 * Normalises the fields present in `input`. `create` requires a name; `update` refuses clearing
 * `name` or `stage`. Errors name the field as `input.<field>`.
 */
export function normalizeCustomerInput(input: CustomerInput, defaultPhoneRegion: string, mode: 'create' | 'update'): CustomerValues {
  const values: CustomerValues = {};
  const present = (key: keyof CustomerInput) => Object.prototype.hasOwnProperty.call(input, key) && input[key] !== undefined;
  if (mode === 'create' && (input.name == null || input.name.trim() === '')) throw new BadUserInputError('input.name', 'is required');
  if (present('name')) values.name = requireText('name', input.name);
  if (present('company')) values.company = optionalText('company', input.company);
  if (present('email')) values.email = input.email == null || input.email.trim() === '' ? null : normalizeEmail(input.email, 'input.email');
  if (present('phone')) values.phone = input.phone == null || input.phone.trim() === '' ? null : normalizePhone(input.phone, defaultPhoneRegion, 'input.phone');
  if (present('idNumber')) values.idNumber = normalizeIdNumber(input.idNumber);
  if (present('ownerId')) values.ownerId = optionalText('ownerId', input.ownerId);
  if (present('stage')) {
    if (input.stage == null) throw new BadUserInputError('input.stage', 'cannot be cleared');
    values.stage = input.stage;
  }
  if (present('dealValue')) {
    const deal = input.dealValue;
    if (deal != null && (!Number.isFinite(deal) || deal < 0 || deal > 1e12)) throw new BadUserInputError('input.dealValue', 'must be a number from 0 to 1e12');
    values.dealValue = deal ?? null;
  }
  return values;
}

function requireText(field: string, value: string | null | undefined): string {
  const text = optionalText(field, value);
  if (text === null) throw new BadUserInputError(`input.${field}`, 'cannot be empty');
  return text;
}

function optionalText(field: string, value: string | null | undefined): string | null {
  if (value == null) return null;
  const text = value.normalize('NFKC').replace(/\s+/g, ' ').trim();
  if (text.length > TEXT_LIMIT) throw new BadUserInputError(`input.${field}`, `must be at most ${TEXT_LIMIT} characters`);
  return text === '' ? null : text;
}

// National ID numbers: letters, digits and dashes, compared upper-cased (PRC IDs end in X).
function normalizeIdNumber(value: string | null | undefined): string | null {
  if (value == null || value.trim() === '') return null;
  const id = value.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
  if (!/^[0-9A-Z]{4,32}$/.test(id)) throw new BadUserInputError('input.idNumber', 'must be 4 to 32 letters or digits');
  return id;
}
