import { normalizeEmail } from '../../lib/email';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Li.Na@Example.CN ')).toBe('li.na@example.cn');
  });
  it.each(['nobody', 'a@b', 'two words@example.com', '@example.com'])('refuses %j', (input) => {
    expect(() => normalizeEmail(input)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'email' }) }));
  });
});
