/** Phone numbers are stored as E.164; input may be typed in any common national or international format. */
import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js/max';
import { BadUserInputError } from './errors';

/** Normalises a phone number to E.164 (`+8613800138000`), or throws `BAD_USER_INPUT` naming `field`. */
export function normalizePhone(input: string, defaultRegion: string, field = 'phone'): string {
  const trimmed = input.trim();
  try {
    const parsed = parsePhoneNumberWithError(trimmed.replace(/^\(?00(\d{1,3})\)?/, '+$1'), defaultRegion as CountryCode);
    if (parsed.isValid()) return parsed.number;
  } catch {
    // fall through to the error below: the library's own message is not meant for end users
  }
  // The value is not echoed: error messages end up in logs and stored replay results.
  throw new BadUserInputError(field, 'is not a valid phone number');
}
