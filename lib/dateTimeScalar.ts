import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from './errors';

/** `DateTime`: an ISO-8601 instant in UTC, e.g. "2026-11-25T04:35:18.000Z". */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 instant in UTC',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new TypeError(`DateTime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue(value) {
    return parseDate(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new BadUserInputError('DateTime', 'must be an ISO-8601 string');
    return parseDate(ast.value);
  },
});

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new BadUserInputError('DateTime', `${JSON.stringify(value)} is not an ISO-8601 instant`);
  return date;
}
