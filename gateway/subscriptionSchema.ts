import { extendSchema, parse, type GraphQLSchema } from 'graphql';

/** The `Subscription` root the gateway serves over WebSocket (Apollo Gateway has none). */
export const SUBSCRIPTION_SDL = `
extend schema { subscription: Subscription }
type Subscription {
  "Every change to the given customers (all visible customers when ids is omitted); with after, first replays what was missed since that cursor, then goes live."
  customerChanged(ids: [ID!], after: String): CustomerChange!
}`;

/** The API schema with `Subscription` added. */
export function withSubscriptions(apiSchema: GraphQLSchema): GraphQLSchema {
  return extendSchema(apiSchema, parse(SUBSCRIPTION_SDL));
}
