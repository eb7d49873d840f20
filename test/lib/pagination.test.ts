import { decodeCursor, encodeCursor, readPage, validateFirst } from '../../lib/pagination';

const id = (n: number) => ({ _id: { toHexString: () => n.toString(16).padStart(24, '0') } });

describe('validateFirst', () => {
  it('defaults to 20 and accepts 1 to 100', () => {
    expect(validateFirst(undefined)).toBe(20);
    expect(validateFirst(1)).toBe(1);
    expect(validateFirst(100)).toBe(100);
  });
  it.each([0, -1, 101, 10000, 1.5])('refuses %p naming first', (first) => {
    expect(() => validateFirst(first)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'first' } }));
  });
});

describe('cursors', () => {
  it('round-trips an id', () => {
    expect(decodeCursor(encodeCursor('65920698'))).toBe('65920698');
  });
  it('refuses anything it did not make', () => {
    expect(() => decodeCursor('hello')).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } }));
  });
});

describe('readPage', () => {
  const records = [1, 2, 3, 4, 5].map(id);
  const source = {
    findAfter: async (after: string | undefined, limit: number) =>
      records.filter((r) => after === undefined || r._id.toHexString() > after).slice(0, limit),
    count: async () => records.length,
  };

  it('reports a next page only when one exists', async () => {
    const first = await readPage(source, 2, undefined);
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const last = await readPage(source, 3, decodeCursor(first.pageInfo.endCursor!));
    expect(last.edges.map((e) => e.node)).toEqual(records.slice(2));
    expect(last.pageInfo.hasNextPage).toBe(false);
    expect(await last.totalCount()).toBe(5);
  });

  it('gives a null end cursor for an empty page', async () => {
    const empty = await readPage({ findAfter: async () => [], count: async () => 0 }, 5, undefined);
    expect(empty.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});
