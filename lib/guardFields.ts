/**
 * Per-record read checks in a subgraph: wraps the resolvers of a type's policy fields so a field the
 * caller may not read on *this* record resolves to null with a FORBIDDEN error at its path, and the
 * rest of the response is still served.
 */
import { subject } from '@casl/ability';
import type { GraphQLFieldResolver } from 'graphql';
import { ForbiddenError } from './errors';
import type { AppAbility, SubjectName } from './policy';

type AnyResolver = GraphQLFieldResolver<any, { ability: AppAbility }, any>;

/** Returns `resolvers` with each of `fields` guarded; `conditions` reads the rule conditions off the parent record. */
export function guardFields<TResolvers extends object>(
  subjectName: SubjectName,
  fields: readonly string[],
  resolvers: TResolvers,
  conditions: (parent: any) => Record<string, unknown> = () => ({}),
): TResolvers {
  const guarded = { ...resolvers } as Record<string, unknown>;
  for (const field of fields) {
    const resolve = (resolvers as Record<string, unknown>)[field] as AnyResolver | undefined;
    const wrapped: AnyResolver = (parent, args, ctx, info) => {
      if (!ctx.ability.can('read', subject(subjectName, conditions(parent)) as never, field)) {
        throw new ForbiddenError([`${subjectName}.${field}`]);
      }
      return resolve ? resolve(parent, args, ctx, info) : parent[field];
    };
    guarded[field] = wrapped;
  }
  return guarded as TResolvers;
}

/** Refuses a write whole when any of `fields` may not be written on this record (action `create` or `update`). */
export function assertMayWrite(ability: AppAbility, action: 'create' | 'update', subjectName: SubjectName, record: Record<string, unknown>, fields: readonly string[]): void {
  const denied = fields.filter((field) => !ability.can(action, subject(subjectName, { ...record }) as never, field));
  if (denied.length > 0) throw new ForbiddenError(denied.map((f) => `${subjectName}.${f}`));
}

/** Refuses a mutation the caller's roles may not run at all. */
export function assertMayExecute(ability: AppAbility, mutation: string): void {
  if (!ability.can('execute', 'Mutation', mutation)) throw new ForbiddenError([`Mutation.${mutation}`]);
}

/**
 * The MongoDB conditions under which `field` of `subjectName` is readable: `{}` when always, the
 * rules' conditions when only on some records, and FORBIDDEN when never. Used to narrow a lookup by
 * that field, so nobody can probe values they may not read.
 */
export function readableWhere(ability: AppAbility, subjectName: SubjectName, field: string): Record<string, unknown> {
  const rules = ability.rulesFor('read', subjectName, field).filter((rule) => !rule.inverted);
  if (rules.length === 0) throw new ForbiddenError([`${subjectName}.${field}`]);
  if (rules.some((rule) => !rule.conditions)) return {};
  return { $or: rules.map((rule) => rule.conditions as Record<string, unknown>) };
}
