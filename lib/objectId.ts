import { Types } from 'mongoose';
import { BadUserInputError } from './errors';

const OBJECT_ID = /^[0-9a-f]{24}$/;

/** True when `value` has the form of an API id (24 lower-case hex digits). */
export function isApiId(value: string): boolean {
  return OBJECT_ID.test(value);
}

/** Parses an API id (24 lower-case hex digits) or throws `BAD_USER_INPUT` naming `field`. */
export function parseObjectId(value: string, field = 'id'): Types.ObjectId {
  if (!OBJECT_ID.test(value)) throw new BadUserInputError(field, `must be a 24-character hex id, got ${JSON.stringify(value)}`);
  return new Types.ObjectId(value);
}
