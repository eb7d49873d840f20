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
import {
  getOperationAST,
  GraphQLError,
  parse,
  print,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { operationHash } from '../lib/apiKeys';
import type { Caller } from '../lib/caller';
import { CustomerGraphError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { abilityFor } from '../lib/policy';
import type { AuthHeaders } from './auth';
import { planChangeQueries } from './changeQueries';
import type { GatewayContext } from './context';
import type { Fanout } from './fanout';
import { createLiveSubscription, type RunQuery } from './liveSubscription';
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
}

const RECHECK_MS = 5000;

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
  const shared = createSharedFetches();
  const runQuery: RunQuery = async (caller, query, variables) => {
    const response = await options.apollo.executeOperation({ query, variables }, { contextValue: { caller, requestId: randomUUID() } });
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not supported here');
    return response.body.singleResult;
  };

  const disposable = useServer<Record<string, unknown>>(
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
        let document;
        try {
          document = parse(payload.query, { maxTokens: options.maxTokens });
        } catch (error) {
          return [codeError(error as GraphQLError, /tokens/.test((error as Error).message) ? 'QUERY_TOO_COMPLEX' : 'GRAPHQL_PARSE_FAILED')];
        }
        const schema = options.schema();
        const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
        if (errors.length > 0) return errors.map((e) => codeError(e, (e.extensions?.reportedCode as string) ?? 'GRAPHQL_VALIDATION_FAILED'));
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
          // The queries that serve it are two levels deeper than the subscription: they must pass the limits too.
          const queries = planChangeQueries(document, operation, variables);
          const tooComplex = validate(schema, parse(queries.live, { maxTokens: options.maxTokens * 2 }), [...options.validationRules]);
          if (tooComplex.length > 0) return tooComplex.map((e) => codeError(e, (e.extensions?.reportedCode as string) ?? 'QUERY_TOO_COMPLEX'));
          state.subscriptions.add(id);
        }
        return { schema, document, operationName: payload.operationName, variableValues: variables, contextValue: { socket: ctx.extra.socket, caller } } satisfies ExecutionArgs;
      },
      onComplete: (ctx, id) => {
        stateOf(ctx.extra.socket).subscriptions.delete(id);
      },
      execute: async (args) => {
        const { caller } = args.contextValue as { caller: Caller };
        return (await runQuery(caller, print(args.document), (args.variableValues as Record<string, unknown>) ?? {})) as ExecutionResult;
      },
      subscribe: (args) => {
        const { caller, socket } = args.contextValue as { caller: Caller; socket: WebSocket };
        const state = stateOf(socket);
        const operation = getOperationAST(args.document, args.operationName)!;
        const variables = (args.variableValues ?? {}) as Record<string, unknown>;
        const queries = planChangeQueries(args.document, operation, variables);
        const rootArgs = rootArguments(args);
        return createLiveSubscription({
          caller,
          queries,
          ids: rootArgs.ids,
          after: rootArgs.after,
          fanout: options.fanout,
          runQuery,
          fetchShared: shared,
          groupKey: `${caller.tenant}|${queries.live}|${JSON.stringify(queries.variables)}|${abilityKey(caller)}`,
          // A revoked key takes effect on the live stream (checked at most every few seconds per
          // socket; an expiring token is closed by its own timer).
          recheckCaller: async () => {
            const now = Date.now();
            if (now - (state.checkedAt ?? 0) < RECHECK_MS) return;
            try {
              await options.authenticate(state.credentials ?? {});
            } catch (error) {
              // Only a refusal of the credential ends the stream; a passing fault (database, JWKS) does not.
              if ((error as { extensions?: { code?: string } }).extensions?.code === 'UNAUTHENTICATED') throw error;
              options.logger.warn({ err: error }, 'could not recheck a subscriber; keeping the stream');
              return;
            }
            state.checkedAt = now;
          },
          onDelivered: options.onDelivered,
          onOpen: () => (live += 1),
          onClose: () => (live -= 1),
          onCallerInvalid: () => {
            const expired = (tokenExpiry(state.credentials?.authorization) ?? Number.POSITIVE_INFINITY) <= Date.now();
            socket.close(expired ? CloseCode.Unauthorized : CloseCode.Forbidden, expired ? 'Token expired' : 'Credentials revoked');
          },
          logger: options.logger,
        });
      },
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );

  return {
    openSockets: () => wss.clients.size,
    openSubscriptions: () => live,
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
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
function abilityKey(caller: Caller): string {
  return createHash('sha1').update(JSON.stringify(abilityFor(caller).rules)).digest('base64');
}

// One fetch per (event, group), kept for a few seconds so every subscriber of the group reuses it.
function createSharedFetches() {
  const entries = new Map<string, { promise: Promise<ExecutionResult>; at: number }>();
  return (key: string, fetch: () => Promise<ExecutionResult>): Promise<ExecutionResult> => {
    const now = Date.now();
    const hit = entries.get(key);
    if (hit) return hit.promise;
    if (entries.size > 10_000) for (const [k, v] of entries) if (now - v.at > 5000) entries.delete(k);
    const promise = fetch();
    entries.set(key, { promise, at: now });
    setTimeout(() => entries.delete(key), 5000).unref();
    // A failed fetch is not shared on: the next subscriber of the group tries again.
    promise.then(
      (result) => {
        if (!(result.data as { changes?: unknown } | undefined)?.changes) entries.delete(key);
      },
      () => entries.delete(key),
    );
    return promise;
  };
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
