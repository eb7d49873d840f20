import { parseKeyring } from '../../lib/fieldCrypto';

const FIELD_KEY = `t1:${Buffer.alloc(32, 1).toString('base64')}`;
const INDEX_KEY = Buffer.alloc(32, 2).toString('base64');

/** The keys the test stack encrypts with (fixtures use them too). */
export const TEST_KEYRING = parseKeyring(FIELD_KEY, INDEX_KEY);

/** The same keys as environment variables, for tools the tests run as processes. */
export const TEST_KEY_ENV = { FIELD_ENCRYPTION_KEY: FIELD_KEY, BLIND_INDEX_KEY: INDEX_KEY };
