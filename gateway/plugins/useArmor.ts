/**
 * Query-shape limits from @escape.tech/graphql-armor (depth, aliases, cost, tokens, directives, no
 * field suggestions). Refusals leave with QUERY_TOO_COMPLEX; a page size out of range is refused
 * with BAD_USER_INPUT before the cost is computed (the cost of `first: 10000` is not the problem).
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { GraphQLError, Kind, type ASTVisitor, type GraphQLFormattedError, type ValidationContext, type ValidationRule } from 'graphql';

export const ARMOR_LIMITS = { maxDepth: 10, maxAliases: 15, maxCost: 75_000, maxTokens: 3000, maxDirectives: 20, maxPageSize: 1000 } as const;

// Apollo gives every validation error the code GRAPHQL_VALIDATION_FAILED; this extension carries ours past it.
const REPORTED_CODE = 'reportedCode';

const report = (ctx: ValidationContext | null, message: string, code: string, extra: Record<string, unknown> = {}) =>
  ctx?.reportError(new GraphQLError(message, { extensions: { [REPORTED_CODE]: code, ...extra } }));

/** Armor's plugins and validation rules, configured for our schema. */
export function createArmor() {
  const reject = {
    propagateOnRejection: false,
    onReject: [(ctx: ValidationContext | null, error: GraphQLError) => report(ctx, error.message, 'QUERY_TOO_COMPLEX')],
  };
  const armor = new ApolloArmor({
    maxDepth: { n: ARMOR_LIMITS.maxDepth, ...reject },
    maxAliases: { n: ARMOR_LIMITS.maxAliases, ...reject },
    costLimit: { enabled: false },
    // Armor's token plugin re-parses in a hook, turning every syntax error into a 500: the token
    // limit is set on Apollo's own parser instead (`parseOptions`, see startGateway).
    maxTokens: { enabled: false },
    maxDirectives: { n: ARMOR_LIMITS.maxDirectives, ...reject },
    blockFieldSuggestion: { enabled: true },
  }).protect();
  const cost = costLimitRule({ maxCost: ARMOR_LIMITS.maxCost, ...reject });
  return {
    ...armor,
    validationRules: [...armor.validationRules, boundedCostRule(cost)],
    /** Rules for HTTP only: subscriptions go over the WebSocket. */
    httpValidationRules: [noSubscriptionsOverHttp],
    parseOptions: { maxTokens: ARMOR_LIMITS.maxTokens },
  };
}

/** Gives refusals reported by our rules their code, and the parser's token limit QUERY_TOO_COMPLEX. */
export function applyReportedCode(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && /Document contains more th\w+ \d+ tokens/.test(formatted.message)) {
    return { ...formatted, extensions: { ...formatted.extensions, code: 'QUERY_TOO_COMPLEX' } };
  }
  const code = formatted.extensions?.[REPORTED_CODE];
  if (typeof code !== 'string') return formatted;
  const { [REPORTED_CODE]: _code, ...extensions } = formatted.extensions!;
  return { ...formatted, extensions: { ...extensions, code } };
}

// graphql-js validation does not check that the schema has the operation's root type, and the
// gateway would fail with a 500: say where subscriptions are served instead.
const noSubscriptionsOverHttp: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation === 'subscription') {
      context.reportError(new GraphQLError('Subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP', { nodes: [node] }));
    }
  },
});

// Literal page sizes out of range are the client's mistake: say so, and skip the cost rule.
function boundedCostRule(cost: (context: ValidationContext) => ASTVisitor): ValidationRule {
  return (context) => {
    let outOfRange = false;
    for (const definition of context.getDocument().definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const stack = [...definition.selectionSet.selections];
      while (stack.length > 0) {
        const selection = stack.pop()!;
        if (selection.kind === Kind.FIELD) {
          const first = selection.arguments?.find((a) => a.name.value === 'first');
          if (first?.value.kind === Kind.INT) {
            const value = Number(first.value.value);
            if (value < 1 || value > ARMOR_LIMITS.maxPageSize) {
              // Values that are no Int at all are reported by the spec's own validation.
              if (Math.abs(value) <= 2 ** 31 - 1) {
                report(context, `first: must be an integer from 1 to ${ARMOR_LIMITS.maxPageSize} (lists may allow fewer), got ${value}`, 'BAD_USER_INPUT', { field: 'first' });
              }
              outOfRange = true;
            }
          }
        }
        if ('selectionSet' in selection && selection.selectionSet) stack.push(...selection.selectionSet.selections);
      }
    }
    return outOfRange ? {} : cost(context);
  };
}
