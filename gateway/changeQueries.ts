/**
 * Turns a `customerChanged` subscription into the federated queries that serve it: the subscriber's
 * own selection, asked of `Query.changes` as the subscriber. Live events and replays alike are
 * resolved by the real graph, so permissions and all three subgraphs apply per event.
 */
import { Kind, print, visit, type DocumentNode, type FieldNode, type OperationDefinitionNode } from 'graphql';

export interface ChangeQueries {
  /** The response key of the subscription field (its alias, or `customerChanged`). */
  readonly responseKey: string;
  /** One change: `$cgAfter` = the cursor before it, `$cgIds` = its customer. */
  readonly live: string;
  /** A page of changes after `$cgAfter`, filtered by `$cgIds`. */
  readonly replay: string;
  /** The subscriber's variables the selection uses (their values go with every query). */
  readonly variableNames: readonly string[];
}

export const REPLAY_PAGE = 200;

// Plans depend on the operation only: subscribers of one cached document share theirs.
const plans = new WeakMap<OperationDefinitionNode, ChangeQueries>();

/** Builds (or recalls) the queries of a validated subscription operation. */
export function planChangeQueries(document: DocumentNode, operation: OperationDefinitionNode): ChangeQueries {
  let plan = plans.get(operation);
  if (!plan) {
    plan = buildChangeQueries(document, operation);
    plans.set(operation, plan);
  }
  return plan;
}

/** The subscriber's values of the variables its change queries use. */
export function changeQueryVariables(queries: ChangeQueries, variables: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  return Object.fromEntries(queries.variableNames.filter((name) => name in variables).map((name) => [name, variables[name]]));
}

function buildChangeQueries(document: DocumentNode, operation: OperationDefinitionNode): ChangeQueries {
  const root = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'customerChanged');
  if (!root?.selectionSet) throw new Error('not a customerChanged subscription');
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  const used = new Set<string>();
  for (const node of [root.selectionSet, ...fragments]) {
    visit(node, {
      Variable(variable) {
        used.add(variable.name.value);
      },
    });
  }
  const definitions = (operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value)).map((d) => print(d));
  const declared = ['$cgAfter: String', '$cgIds: [ID!]', ...definitions].join(', ');
  // cgCursor/cgCustomerId let the server track progress whatever the subscriber selected.
  const inner = print(root.selectionSet).replace(/^\{/, '{ cgCursor: cursor cgCustomerId: customerId ');
  const fragmentText = fragments.map((f) => print(f)).join('\n');
  return {
    responseKey: root.alias?.value ?? root.name.value,
    live: `query CgLiveChange(${declared}) { changes(after: $cgAfter, first: 1, ids: $cgIds) { changes ${inner} } }\n${fragmentText}`,
    replay: `query CgReplay(${declared}) { changes(after: $cgAfter, first: ${REPLAY_PAGE}, ids: $cgIds) { cursor hasMore changes ${inner} } }\n${fragmentText}`,
    variableNames: [...used],
  };
}
