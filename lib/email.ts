import { BadUserInputError } from './errors';

// Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is checked elsewhere.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Trims and lower-cases an email address, or throws `BAD_USER_INPUT` naming `field`. */
export function normalizeEmail(input: string, field = 'email'): string {
  const value = input.trim().toLowerCase();
  // The value is not echoed: error messages end up in logs and stored replay results.
  if (value.length > 254 || !EMAIL.test(value)) throw new BadUserInputError(field, 'is not a valid email address');
  return value;
}
