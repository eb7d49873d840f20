/**
 * The WebSocket transport: graphql-ws on the same port and path as HTTP (`/graphql`).
 * The caller authenticates in `connection_init` (connectionParams), the Origin is checked, every
 * `subscribe` passes the same limits and permission checks as HTTP, and a token that expires or a
 * key that is revoked closes the socket (4401 / 4403). Queries and mutations sent over the socket
 * run through Apollo like HTTP requests; `customerChanged` runs as a live subscription.
 */
import type { ApolloServer } from '@apollo/server';
import { decodeJwt } from 'jose';
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { getOperationAST, GraphQLError, print, specifiedRules, type ExecutionArgs, type ExecutionResult, type GraphQLSchema, type ValidationRule } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { operationHash } from '../lib/apiKeys';
import type { Caller } from '../lib/caller';
import { CustomerGraphError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { abilityFor } from '../lib/policy';
import type { AuthHeaders } from './auth';
import { changeQueryVariables, planChangeQueries } from './changeQueries';
import type { GatewayContext } from './context';
import { createDeliveryGroups, type RunQuery } from './deliveryGroups';
import { createDocumentCache, type CheckedDocument } from './documentCache';
import { serveGraphqlWs } from './graphqlWsServer';
import type { Fanout } from './fanout';
import { createLiveSubscription } from './liveSubscription';
import { findForbiddenFields } from './plugins/usePermissions';

export interface SubscriptionOptions {
  readonly httpServer: Server;
  readonly apollo: ApolloServer<GatewayContext>;
  /** The API schema extended with `Subscription` (changes when the supergraph does). */
  readonly schema: () => GraphQLSchema;
  readonly authenticate: (headers: AuthHeaders) => Promise<Caller>;
  readonly fanout: Fanout;
  readonly validationRules: readonly ValidationRule[];
  readonly maxTokens: number;
  readonly rateLimit?: (caller: Caller) => Promise<void>;
  /** Allowed `Origin` values besides the gateway's own (the console); empty allows any (development). Requests without an Origin (not browsers) pass. */
  readonly allowedOrigins: readonly string[];
  readonly keepAliveMs?: number;
  readonly maxSubscriptionsPerSocket?: number;
  /** Called with the seconds from a change's write to its delivery, per delivered event. */
  readonly onDelivered?: (seconds: number) => void;
  readonly logger: Logger;
}

interface SocketState {
  caller?: Caller;
  credentials?: AuthHeaders;
  expiryTimer?: NodeJS.Timeout;
  /** Ids of the live subscriptions of this socket (queries and mutations are not counted). */
  subscriptions: Set<string>;
  checkedAt?: number;
  rechecking?: boolean;
}

/** What `onSubscribe` hands to `execute` and `subscribe`. */
interface OperationContext {
  readonly socket: WebSocket;
  readonly state: SocketState;
  readonly caller: Caller;
  /** The graphql-ws id of the operation. */
  readonly id: string;
}

// How often a live socket's credential is checked again (only while changes are delivered to it).
// A partner key can be revoked at any moment; a bearer token cannot change, its expiry has a timer of
// its own, so checking it again only catches a signing key withdrawn from the JWKS: once a minute.
const RECHECK_KEY_MS = 5000;
const RECHECK_TOKEN_MS = 60_000;
// Pings find dead peers (and keep idle proxies open); each costs a write per socket.
const KEEP_ALIVE_MS = 30_000;

/** Attaches the WebSocket server; `dispose()` closes every socket. */
export function attachSubscriptions(options: SubscriptionOptions): { dispose(): Promise<void>; openSockets(): number; openSubscriptions(): number } {
  let live = 0;
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: '/graphql',
    verifyClient: ({ origin, req }: { origin?: string; req: IncomingMessage }) => originAllowed(origin, req.headers.host, options.allowedOrigins),
  });
  const sockets = new WeakMap<WebSocket, SocketState>();
  const stateOf = (socket: WebSocket) => {
    let state = sockets.get(socket);
    if (!state) {
      state = { subscriptions: new Set() };
      sockets.set(socket, state);
    }
    return state;
  };
  const runQuery: RunQuery = async (caller, query, variables) => {
    const response = await options.apollo.executeOperation({ query, variables }, { contextValue: { caller, requestId: randomUUID() } });
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not supported here');
    return response.body.singleResult;
  };
  const groups = createDeliveryGroups({ fanout: options.fanout, runQuery, logger: options.logger });
  const documents = createDocumentCache({ maxTokens: options.maxTokens, rules: [...specifiedRules, ...options.validationRules] });
  // The queries that serve a subscription are two levels deeper than it: they must pass the limits too.
  const changeQueryDocuments = createDocumentCache({ maxTokens: options.maxTokens * 2, rules: options.validationRules });
  // A revoked key takes effect on the live stream: checked again beside delivery, and the socket
  // closed when the check refuses it.
  const recheckSoon = (socket: WebSocket, state: SocketState) => {
    const now = Date.now();
    const every = state.credentials?.apiKey ? RECHECK_KEY_MS : RECHECK_TOKEN_MS;
    if (state.rechecking || now - (state.checkedAt ?? 0) < every) return;
    state.rechecking = true;
    options
      .authenticate(state.credentials ?? {})
      .then(
        () => {
          state.checkedAt = now;
        },
        (error: unknown) => {
          // Only a refusal of the credential ends the stream; a passing fault (database, JWKS) does not.
          if ((error as { extensions?: { code?: string } }).extensions?.code !== 'UNAUTHENTICATED') {
            options.logger.warn({ err: error }, 'could not recheck a subscriber; keeping the stream');
            return;
          }
          const expired = (tokenExpiry(state.credentials?.authorization) ?? Number.POSITIVE_INFINITY) <= Date.now();
          socket.close(expired ? CloseCode.Unauthorized : CloseCode.Forbidden, expired ? 'Token expired' : 'Credentials revoked');
        },
      )
      .finally(() => {
        state.rechecking = false;
      });
  };
  // Payloads come serialised once per delivery group: only the frame around them is per subscription.
  const sendPayloads = ({ socket, state, id }: OperationContext) => {
    const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    return (payload: string) => {
      if (socket.readyState !== socket.OPEN) return;
      socket.send(`${head}${payload}}`);
      recheckSoon(socket, state);
    };
  };

  const disposable = serveGraphqlWs<Record<string, unknown>>(
    {
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const credentials: AuthHeaders = {
          authorization: typeof params.authorization === 'string' ? params.authorization : typeof params.token === 'string' ? `Bearer ${params.token}` : undefined,
          apiKey: typeof params.apiKey === 'string' ? params.apiKey : undefined,
          deviceId: typeof params.deviceId === 'string' ? params.deviceId : undefined,
        };
        const state = stateOf(ctx.extra.socket);
        try {
          state.caller = await options.authenticate(credentials);
          state.credentials = credentials;
          state.checkedAt = Date.now();
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
        const expiresAt = tokenExpiry(credentials.authorization);
        if (expiresAt !== undefined) {
          const closeAt = Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1);
          state.expiryTimer = setTimeout(() => ctx.extra.socket.close(CloseCode.Unauthorized, 'Token expired'), closeAt);
          state.expiryTimer.unref();
        }
        return true;
      },
      onClose: (ctx) => {
        clearTimeout(sockets.get(ctx.extra.socket)?.expiryTimer);
      },
      onSubscribe: async (ctx, id, payload) => {
        const state = stateOf(ctx.extra.socket);
        const caller = state.caller!;
        if (caller.safelist && !caller.safelist.includes(operationHash(payload.query))) {
          return [codeError(new GraphQLError('This key may only run the operations registered for it'), 'FORBIDDEN')];
        }
        const schema = options.schema();
        const checked = documents(schema, payload.query);
        if (checked.kind !== 'valid') return refusal(checked, 'GRAPHQL_VALIDATION_FAILED');
        const { document } = checked;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [codeError(new GraphQLError('Name one of the document’s operations'), 'OPERATION_RESOLUTION_FAILURE')];
        const variables = payload.variables ?? {};
        const forbidden = findForbiddenFields(abilityFor(caller), schema, document, operation, variables);
        if (forbidden.length > 0) return [new CustomerGraphError(`Not allowed: ${forbidden.join(', ')}`, 'FORBIDDEN', { fields: forbidden })];
        if (operation.operation === 'subscription' && state.subscriptions.size >= (options.maxSubscriptionsPerSocket ?? 100)) {
          return [codeError(new GraphQLError('Too many subscriptions on one socket'), 'RATE_LIMITED')];
        }
        try {
          await options.rateLimit?.(caller);
        } catch (error) {
          if (error instanceof CustomerGraphError) return [error];
          throw error;
        }
        if (operation.operation === 'subscription') {
          const served = changeQueryDocuments(schema, planChangeQueries(document, operation).live);
          if (served.kind !== 'valid') return refusal(served, 'QUERY_TOO_COMPLEX');
          state.subscriptions.add(id);
        }
        const context: OperationContext = { socket: ctx.extra.socket, state, caller, id };
        return { schema, document, operationName: payload.operationName, variableValues: variables, contextValue: context } satisfies ExecutionArgs;
      },
      onComplete: (ctx, id) => {
        stateOf(ctx.extra.socket).subscriptions.delete(id);
      },
      execute: async (args) => {
        const { caller } = args.contextValue as OperationContext;
        return (await runQuery(caller, print(args.document), (args.variableValues as Record<string, unknown>) ?? {})) as ExecutionResult;
      },
      subscribe: (args) => {
        const context = args.contextValue as OperationContext;
        const operation = getOperationAST(args.document, args.operationName)!;
        const queries = planChangeQueries(args.document, operation);
        const variables = changeQueryVariables(queries, (args.variableValues ?? {}) as Record<string, unknown>);
        const { caller } = context;
        // Hashed: each subscription keeps its key, and the selection alone can be long.
        const key = createHash('sha1').update(`${caller.tenant}|${queries.responseKey}|${queries.live}|${JSON.stringify(variables)}|${abilityKey(caller)}`).digest('base64');
        const spec = { key, caller, queries, variables };
        const rootArgs = rootArguments(args);
        return createLiveSubscription({
          ids: rootArgs.ids,
          after: rootArgs.after,
          join: (member) => groups.join(spec, member),
          send: sendPayloads(context),
          onDelivered: options.onDelivered,
          onOpen: () => (live += 1),
          onClose: () => (live -= 1),
          logger: options.logger,
        });
      },
    },
    wss,
    { keepAliveMs: options.keepAliveMs ?? KEEP_ALIVE_MS, logger: options.logger },
  );

  return {
    openSockets: () => wss.clients.size,
    openSubscriptions: () => live,
    dispose: () => disposable.dispose(),
  };
}

/** Reads `ids` and `after` of the `customerChanged` field, literals and variables alike. */
function rootArguments(args: ExecutionArgs): { ids?: string[]; after?: string } {
  const operation = getOperationAST(args.document, args.operationName)!;
  const field = operation.selectionSet.selections[0];
  const out: { ids?: string[]; after?: string } = {};
  if (field.kind !== 'Field') return out;
  for (const argument of field.arguments ?? []) {
    const value =
      argument.value.kind === 'Variable'
        ? (args.variableValues as Record<string, unknown> | undefined)?.[argument.value.name.value]
        : argument.value.kind === 'ListValue'
          ? argument.value.values.map((v) => ('value' in v ? v.value : null))
          : 'value' in argument.value
            ? argument.value.value
            : null;
    if (argument.name.value === 'ids' && Array.isArray(value)) out.ids = value.map(String);
    if (argument.name.value === 'after' && typeof value === 'string') out.after = value;
  }
  return out;
}

// Subscribers whose abilities have the same rules see the same thing: they share fetches.
const abilityKeys = new WeakMap<ReturnType<typeof abilityFor>, string>();
function abilityKey(caller: Caller): string {
  const ability = abilityFor(caller);
  let key = abilityKeys.get(ability);
  if (key === undefined) {
    key = createHash('sha1').update(JSON.stringify(ability.rules)).digest('base64');
    abilityKeys.set(ability, key);
  }
  return key;
}

function tokenExpiry(authorization: string | undefined): number | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  try {
    const exp = decodeJwt(token).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

// Why a document was refused, with the code clients branch on.
function refusal(checked: Exclude<CheckedDocument, { kind: 'valid' }>, validationCode: string): GraphQLError[] {
  if (checked.kind === 'unparsable') return [codeError(checked.error, /tokens/.test(checked.error.message) ? 'QUERY_TOO_COMPLEX' : 'GRAPHQL_PARSE_FAILED')];
  return checked.errors.map((e) => codeError(e, (e.extensions?.reportedCode as string) ?? validationCode));
}

function codeError(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, extensions: { code } });
}

/**
 * Whether a WebSocket upgrade may proceed: no Origin (not a browser), no list (development), a
 * listed origin, or the gateway's own host (the console it serves; a browser cannot forge Origin).
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin || allowed.length === 0 || allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
