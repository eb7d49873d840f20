/**
 * Fixed-response stand-ins for the three subgraphs, so a benchmark measures the gateway and nothing
 * behind it. Each stub serves its subgraph's real SDL: the first time it sees a request body it runs
 * the operation against that schema with generated values (`_entities` answers one entity per
 * representation, lists of `first` items, distinct ids per list position), and from then on answers
 * the same body with the same bytes. No signature check: the stubs stand for subgraphs, not for their security.
 *
 * Run as a child process (`fork`): it reports `{ type: 'ready', urls }` once listening on loopback,
 * answers `{ type: 'stats' }` with request counts, and exits on `{ type: 'stop' }` or when the parent goes away.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  execute,
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
  isObjectType,
  isAbstractType,
  parse,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const SUBGRAPHS = ['sales', 'service', 'marketing'] as const;
type StubName = (typeof SUBGRAPHS)[number];

/** Items in a generated list whose length no argument decides. */
const DEFAULT_LIST_LENGTH = 2;
/** Distinct request bodies remembered per stub; past it the cache starts over. */
const MAX_CACHED_BODIES = 2000;
const TRACE_HEADER = 'apollo-federation-include-trace';

export interface StubStats {
  readonly requests: Record<StubName, number>;
  /** Requests that asked the subgraph for an inline trace (ftv1). */
  readonly traceRequests: number;
  /** Bodies answered by running the operation (cache misses). */
  readonly executed: number;
}

export interface RunningStubs {
  readonly urls: Readonly<Record<StubName, string>>;
  stats(): StubStats;
  stop(): Promise<void>;
}

/** Starts the three stubs on free loopback ports. */
export async function startStubSubgraphs(): Promise<RunningStubs> {
  const requests: Record<StubName, number> = { sales: 0, service: 0, marketing: 0 };
  const counters = { traceRequests: 0, executed: 0 };
  const servers: Server[] = [];
  const urls = {} as Record<StubName, string>;
  for (const name of SUBGRAPHS) {
    const answer = createAnswerer(name, () => (counters.executed += 1));
    const server = createServer((req, res) => {
      requests[name] += 1;
      if (req.headers[TRACE_HEADER]) counters.traceRequests += 1;
      serve(req, res, answer);
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }
  return {
    urls,
    stats: () => ({ requests: { ...requests }, ...counters }),
    async stop() {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

function serve(req: IncomingMessage, res: ServerResponse, answer: (body: string) => Buffer | Promise<Buffer>): void {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const reply = (payload: Buffer) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length }).end(payload);
    const refuse = (error: unknown) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: (error as Error).message }] }));
    try {
      const payload = answer(Buffer.concat(chunks).toString('utf8'));
      // Cached answers are sent synchronously; only a first sight waits for execution.
      if (Buffer.isBuffer(payload)) reply(payload);
      else payload.then(reply, refuse);
    } catch (error) {
      refuse(error);
    }
  });
}

// One cached answer per distinct request body: gateways send the same bytes for the same plan and variables.
function createAnswerer(name: StubName, onExecute: () => void): (body: string) => Buffer | Promise<Buffer> {
  const schema = buildSubgraphSchema([{ typeDefs: parse(readFileSync(join(__dirname, `../schema/${name}.graphql`), 'utf8')) }]);
  const cache = new Map<string, Buffer>();
  return (body) => {
    const cached = cache.get(body);
    if (cached) return cached;
    onExecute();
    return run(schema, body).then((result) => {
      const payload = Buffer.from(JSON.stringify(result));
      if (cache.size >= MAX_CACHED_BODIES) cache.clear();
      cache.set(body, payload);
      return payload;
    });
  };
}

async function run(schema: GraphQLSchema, body: string): Promise<unknown> {
  const { query, variables, operationName } = JSON.parse(body) as { query: string; variables?: Record<string, unknown>; operationName?: string };
  return execute({ schema, document: parse(query), variableValues: variables, operationName, fieldResolver: generateField });
}

// Representations (`_entities`) already carry their keys: keep those, generate the rest.
const generateField: GraphQLFieldResolver<Record<string, unknown> | undefined, unknown, Record<string, unknown>> = (source, args, _context, info) => {
  if (source && info.fieldName in source) return source[info.fieldName];
  const listLength = typeof args.first === 'number' ? args.first : typeof source?.listLength === 'number' ? source.listLength : DEFAULT_LIST_LENGTH;
  const positions = pathPositions(info.path);
  return generateValue(info.returnType, info.fieldName, positions, listLength, info.schema);
};

function generateValue(type: GraphQLOutputType, field: string, positions: number[], listLength: number, schema: GraphQLSchema): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    return Array.from({ length: listLength }, (_, i) => generateValue(nullable.ofType, field, [...positions, i], DEFAULT_LIST_LENGTH, schema));
  }
  const named = getNamedType(nullable);
  // A connection's `edges` get as many items as the `first` of the field that returned it.
  if (isObjectType(named)) return { listLength };
  if (isAbstractType(named)) return { __typename: schema.getPossibleTypes(named)[0].name, listLength };
  if (isEnumType(named)) return named.getValues()[0].value;
  return scalarValue(named.name, field, positions);
}

function scalarValue(scalar: string, field: string, positions: number[]): unknown {
  const suffix = positions.join('-');
  switch (scalar) {
    case 'ID':
      // Distinct per list position, shaped like the ObjectIds the real subgraphs use.
      return (positions.reduce((n, p) => n * 1000 + p + 1, 0) || 1).toString(16).padStart(24, '0');
    case 'Int':
      return positions.length + 1;
    case 'Float':
      return 4.5;
    case 'Boolean':
      return true;
    case 'DateTime':
      return '2026-01-01T00:00:00.000Z';
    default:
      return `${field}-${suffix}`;
  }
}

function pathPositions(path: { prev: unknown; key: string | number } | undefined): number[] {
  const positions: number[] = [];
  for (let p = path; p; p = p.prev as typeof path) if (typeof p.key === 'number') positions.unshift(p.key);
  return positions;
}

if (require.main === module) {
  startStubSubgraphs().then((stubs) => {
    const exit = () => void stubs.stop().finally(() => process.exit(0));
    process.on('message', (message: { type: string }) => {
      if (message.type === 'stats') process.send!({ type: 'stats', stats: stubs.stats() });
      else if (message.type === 'stop') exit();
    });
    process.on('disconnect', exit);
    process.send!({ type: 'ready', urls: stubs.urls });
  });
}
