import { buildCustomerFilter } from '../../lib/customerFilter';
import { makeNameKey } from '../../lib/nameKey';

const index = (phone: string) => `idx(${phone})`;

describe('buildCustomerFilter', () => {
  it('always scopes by tenant', () => {
    expect(buildCustomerFilter('acme', null, 'CN', index)).toEqual({ tenant: 'acme', mergedInto: null });
  });
  it('normalises phone and email before comparing', () => {
    expect(buildCustomerFilter('acme', { phone: '138-0013-8000', email: ' A@B.CN ' }, 'CN', index)).toEqual({ tenant: 'acme', mergedInto: null, phoneIndex: 'idx(+8613800138000)', email: 'a@b.cn' });
  });
  it('escapes regular-expression characters in search', () => {
    const filter = buildCustomerFilter('acme', { search: 'a.b*' }, 'CN', index) as { $or: Array<{ name: RegExp }> };
    expect(filter.$or[0].name.test('a.b*c')).toBe(true);
    expect(filter.$or[0].name.test('axbbb')).toBe(false);
  });
  it('turns an operator smuggled into a value into a literal', () => {
    const filter = buildCustomerFilter('acme', { ownerId: { $ne: null } as unknown as string }, 'CN', index);
    expect(filter.ownerId).toEqual({ $eq: { $ne: null } });
  });
  it('refuses an over-long search', () => {
    expect(() => buildCustomerFilter('acme', { search: 'x'.repeat(101) }, 'CN', index)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ field: 'filter.search' }) }));
  });
});

describe('makeNameKey', () => {
  it('ignores case, spacing and punctuation, and full-width forms', () => {
    expect(makeNameKey(' Zhang  Wei ', 'ACME Ltd.')).toBe(makeNameKey('zhang wei', 'acme ltd'));
    expect(makeNameKey('张伟', '明远（上海）')).toBe(makeNameKey('张伟', '明远(上海)'));
  });
});
