/**
 * What the gateway's permission check costs per request, measured in process (no network):
 * the first sight of an operation (walk + CASL checks) and a repeat (cache hit), side by side.
 */
import { Supergraph } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createPermissionsPlugin } from '../gateway/plugins/usePermissions';

const ROOT = join(__dirname, '..');
const HEAVY = `query Heavy { customers(first: 50) { totalCount edges { cursor node { id name company email phone stage ownerId dealValue version updatedAt service { version tier openTickets satisfaction tickets { id subject status priority } } marketing { version tags segments leadScore consent { email sms } } } } } }`;
const SMALL = `query Small($id: ID!) { customer(id: $id) { id name phone service { tier openTickets } marketing { tags } } }`;

async function measure(query: string, roles: string[], distinct: boolean, iterations: number): Promise<number> {
  const schema = Supergraph.build(readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8')).apiSchema().toGraphQLJSSchema();
  const plugin = createPermissionsPlugin();
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    // A distinct document each time defeats the cache: the cost of an operation seen for the first time.
    const text = distinct ? `${query} # ${i}` : query;
    const document = parse(text);
    const operation = document.definitions[0] as never;
    const hooks = await plugin.requestDidStart!({ contextValue: { caller: { sub: 'u1', tenant: 'acme', roles } } } as never);
    await (hooks as { didResolveOperation: (ctx: unknown) => Promise<void> }).didResolveOperation({
      document,
      schema,
      operation,
      request: { query: text, variables: { id: '0'.repeat(24) } },
      contextValue: { caller: { sub: 'u1', tenant: 'acme', roles } },
    });
  }
  return ((performance.now() - started) * 1000) / iterations;
}

export async function runPermissionBench(): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  for (const [name, query] of Object.entries({ heavy: HEAVY, small: SMALL })) {
    await measure(query, ['admin'], false, 200); // warm up
    results[`${name}.firstSight.us`] = Number((await measure(query, ['admin'], true, 2000)).toFixed(1));
    results[`${name}.cached.us`] = Number((await measure(query, ['admin'], false, 20000)).toFixed(1));
  }
  return results;
}

