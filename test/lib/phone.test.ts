import { normalizePhone } from '../../lib/phone';

describe('normalizePhone', () => {
  it.each([
    ['138-0013-8000', '+8613800138000'],
    ['+86 138 0013 8000', '+8613800138000'],
    ['(0086)13800138000', '+8613800138000'],
    ['0086 138 0013 8000', '+8613800138000'],
    [' 13800138000 ', '+8613800138000'],
    ['+1 (415) 555-0132', '+14155550132'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizePhone(input, 'CN')).toBe(expected);
  });

  it('uses the default region for national numbers', () => {
    expect(normalizePhone('(415) 555-0132', 'US')).toBe('+14155550132');
  });

  it.each(['abc', '123', '', '+86 138'])('refuses %j with BAD_USER_INPUT naming the field', (input) => {
    expect(() => normalizePhone(input, 'CN', 'input.phone')).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'input.phone' }) }),
    );
  });
});
