/** An unreachable database reaches clients as a retryable SUBGRAPH_UNAVAILABLE, not an internal error. */
import { GraphQLError } from 'graphql';
import mongoose from 'mongoose';
import { isDatabaseUnavailable } from '../../lib/databaseUnavailable';
import { createFormatError } from '../../lib/formatError';
import { createLogger } from '../../lib/logger';
import { freePort } from '../../tools/services';

async function errorOfUnreachableDatabase(): Promise<unknown> {
  // Nothing listens on a port just handed out and closed again.
  const connection = mongoose.createConnection(`mongodb://127.0.0.1:${await freePort()}/none`, { serverSelectionTimeoutMS: 200 });
  try {
    await connection.asPromise();
    throw new Error('connected to a closed port');
  } catch (error) {
    return error;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

it('recognises a database that cannot be reached, and nothing else', async () => {
  expect(isDatabaseUnavailable(await errorOfUnreachableDatabase())).toBe(true);
  expect(isDatabaseUnavailable(new Error('connection closed'))).toBe(false);
  expect(isDatabaseUnavailable(new mongoose.Error.ValidationError())).toBe(false);
});

it('formats it as a retryable SUBGRAPH_UNAVAILABLE at its path, other failures as INTERNAL_SERVER_ERROR', async () => {
  const formatError = createFormatError(createLogger('test', 'silent'), false);
  const asResolverError = (original: Error) => new GraphQLError(original.message, { path: ['updateCustomer'], originalError: original });
  const unavailable = asResolverError((await errorOfUnreachableDatabase()) as Error);
  expect(formatError(unavailable.toJSON(), unavailable)).toEqual({
    message: expect.stringMatching(/database is unavailable; retry later/),
    path: ['updateCustomer'],
    extensions: { code: 'SUBGRAPH_UNAVAILABLE', retryable: true },
  });
  const bug = asResolverError(new TypeError('x is undefined'));
  expect(formatError(bug.toJSON(), bug)).toEqual({ message: 'Internal server error', path: ['updateCustomer'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
});

it('recognises the socket error the driver throws when it writes to a connection the server closed', () => {
  const epipe = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
  expect(isDatabaseUnavailable(epipe)).toBe(true);
  // As graphql hands it over when the value is not an Error of its realm.
  expect(isDatabaseUnavailable({ name: 'NonErrorThrown', thrownValue: epipe })).toBe(true);
  expect(isDatabaseUnavailable(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(false);
});
