/** Which customer fields are encrypted at rest, and how they are sealed, opened and looked up. */
import { blindIndex, decryptValue, encryptValue, type Keyring } from './fieldCrypto';

export const SENSITIVE_FIELDS: readonly string[] = ['phone', 'idNumber'];

/** Encrypts a value of a sensitive field (null stays null); other fields pass unchanged. */
export function sealValue(keyring: Keyring, field: string, value: unknown): unknown {
  return SENSITIVE_FIELDS.includes(field) && typeof value === 'string' ? encryptValue(keyring, field, value) : value;
}

/** Decrypts a stored value of a sensitive field; other fields pass unchanged. */
export function openValue(keyring: Keyring, field: string, value: unknown): unknown {
  return SENSITIVE_FIELDS.includes(field) && typeof value === 'string' ? decryptValue(keyring, field, value) : value;
}

/** Opens every sensitive field of a record-like object. */
export function openFields<T extends Record<string, unknown>>(keyring: Keyring, record: T): T {
  const opened: Record<string, unknown> = { ...record };
  for (const field of SENSITIVE_FIELDS) if (field in opened) opened[field] = openValue(keyring, field, opened[field]);
  return opened as T;
}

/** The blind index of a normalised phone number (null for none). */
export function phoneIndexOf(keyring: Keyring, phone: string | null | undefined): string | null {
  return phone ? blindIndex(keyring, 'phone', phone) : null;
}
