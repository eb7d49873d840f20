/** What an operation touches, read off its document: every selected field, and the fields mutation inputs write. */
import {
  getNamedType,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values';

/** A field selected on a type: `Customer.phone`. */
export interface SelectedField {
  readonly type: string;
  readonly field: string;
}

/** A field a mutation's `input` sets. */
export interface WrittenField {
  readonly mutation: string;
  readonly field: string;
}

/** Every (type, field) the document selects, fragments included, without duplicates. */
export function collectSelectedFields(schema: GraphQLSchema, document: DocumentNode): SelectedField[] {
  const typeInfo = new TypeInfo(schema);
  const seen = new Map<string, SelectedField>();
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent || node.name.value.startsWith('__')) return;
        const key = `${parent.name}.${node.name.value}`;
        if (!seen.has(key)) seen.set(key, { type: parent.name, field: node.name.value });
      },
    }),
  );
  return [...seen.values()];
}

/**
 * The fields each root mutation field's `input` argument sets, with variables applied;
 * nested input objects give dotted names (`consent.email`).
 */
export function collectWrittenFields(schema: GraphQLSchema, operation: OperationDefinitionNode | undefined, rawVariables: Record<string, unknown>): WrittenField[] {
  const mutationType = schema.getMutationType();
  if (!mutationType || !operation || operation.operation !== 'mutation') return [];
  // Coerce the variables as execution will; invalid ones are refused there with BAD_USER_INPUT.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  if (coerced.errors) return [];
  const variables = coerced.coerced;
  const written: WrittenField[] = [];
  for (const definition of [operation]) {
    for (const selection of definition.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) continue;
      const fieldDef = mutationType.getFields()[selection.name.value];
      if (!fieldDef || !fieldDef.args.some((a) => a.name === 'input')) continue;
      let input: unknown;
      try {
        input = getArgumentValues(fieldDef, selection, variables).input;
      } catch {
        continue; // invalid arguments are reported by validation and execution
      }
      for (const field of flattenKeys(input)) written.push({ mutation: selection.name.value, field });
    }
  }
  return written;
}

function flattenKeys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner) && !(inner instanceof Date) ? flattenKeys(inner, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

/** True when the named type is an object type of the schema (used to skip inputs and scalars). */
export function isObjectTypeName(schema: GraphQLSchema, name: string): boolean {
  const type = schema.getType(name);
  return type !== undefined && isObjectType(getNamedType(type));
}
