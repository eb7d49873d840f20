/**
 * Parsed and validated documents by source text, per schema. Thousands of devices subscribe with the
 * same few operations: each is parsed and validated once, and its subscribers share one syntax tree
 * (and so one plan of change queries). Least recently used entries go first.
 */
import { parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';

/** A source text after parsing and validation: a document, or why there is none. */
export type CheckedDocument =
  | { readonly kind: 'valid'; readonly document: DocumentNode }
  | { readonly kind: 'unparsable'; readonly error: GraphQLError }
  | { readonly kind: 'invalid'; readonly errors: readonly GraphQLError[] };

export interface DocumentCacheOptions {
  readonly maxTokens: number;
  readonly rules: readonly ValidationRule[];
  /** Entries kept per schema (default 500). */
  readonly size?: number;
}

/** Returns a checker that parses and validates each (schema, source) once. */
export function createDocumentCache(options: DocumentCacheOptions): (schema: GraphQLSchema, source: string) => CheckedDocument {
  const bySchema = new WeakMap<GraphQLSchema, Map<string, CheckedDocument>>();
  const size = options.size ?? 500;
  return (schema, source) => {
    let entries = bySchema.get(schema);
    if (!entries) {
      entries = new Map();
      bySchema.set(schema, entries);
    }
    let checked = entries.get(source);
    if (checked) {
      entries.delete(source);
    } else {
      checked = check(schema, source, options);
      if (entries.size >= size) entries.delete(entries.keys().next().value!);
    }
    entries.set(source, checked);
    return checked;
  };
}

function check(schema: GraphQLSchema, source: string, options: DocumentCacheOptions): CheckedDocument {
  let document: DocumentNode;
  try {
    document = parse(source, { maxTokens: options.maxTokens });
  } catch (error) {
    return { kind: 'unparsable', error: error as GraphQLError };
  }
  const errors = validate(schema, document, options.rules);
  return errors.length > 0 ? { kind: 'invalid', errors } : { kind: 'valid', document };
}
