/** The gateway's client for subgraph requests, against a real HTTP server on loopback. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSubgraphFetcher, type SubgraphFetcher } from '../../gateway/subgraphFetcher';
import { waitUntil } from '../support/waitUntil';

let server: Server;
let url: string;
// Connections opened during the current test, and the most of them open at one time.
let connections = 0;
let open = new Set<object>();
let mostOpenAtOnce = 0;
let handler: (req: IncomingMessage, res: ServerResponse, body: string) => void;
const fetchers: SubgraphFetcher[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', (socket) => {
    const current = open;
    connections += 1;
    current.add(socket);
    mostOpenAtOnce = Math.max(mostOpenAtOnce, current.size);
    socket.on('close', () => current.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

beforeEach(() => {
  connections = 0;
  open = new Set();
  mostOpenAtOnce = 0;
  handler = (req, res, body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { echo: body, caller: req.headers['x-cg-caller'] ?? null } }));
});

afterEach(() => {
  for (const fetcher of fetchers.splice(0)) fetcher.close();
  server.closeAllConnections();
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

function fetcher(maxSockets = 8, timeoutMs = 5000): SubgraphFetcher {
  const created = createSubgraphFetcher({ maxSockets, timeoutMs });
  fetchers.push(created);
  return created;
}

it('posts the body with its headers and reads the JSON answer, status and headers', async () => {
  const response = await fetcher().fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cg-caller': 'abc' }, body: '{"query":"{ a }"}' });
  expect(response.ok).toBe(true);
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Type')).toBe('application/json');
  expect(await response.json()).toEqual({ data: { echo: '{"query":"{ a }"}', caller: 'abc' } });
});

it('reuses one keep-alive connection for requests made one after another', async () => {
  const client = fetcher();
  for (let i = 0; i < 20; i++) await (await client.fetch(url, { method: 'POST', body: `{"n":${i}}` })).json();
  expect(connections).toBe(1);
});

it('opens no more connections than its cap under a burst, and still answers every request', async () => {
  const client = fetcher(3);
  const answers = await Promise.all(Array.from({ length: 30 }, async (_, i) => (await client.fetch(url, { method: 'POST', body: `{"n":${i}}` })).json()));
  expect(answers.map((a) => JSON.parse(a.data.echo).n)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  expect(connections).toBeGreaterThan(1);
  expect(mostOpenAtOnce).toBeLessThanOrEqual(3);
});

it('fails with a TimeoutError when the subgraph does not answer in time', async () => {
  handler = () => undefined; // never answers
  const started = Date.now();
  await expect(fetcher(8, 200).fetch(url, { method: 'POST', body: '{}' })).rejects.toMatchObject({ name: 'TimeoutError' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(190);
});

it('passes an error status through with its body for the data source to report', async () => {
  handler = (_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"message":"not signed"}]}');
  const response = await fetcher().fetch(url, { method: 'POST', body: '{}' });
  expect(response.ok).toBe(false);
  expect(response.status).toBe(401);
  expect(await response.text()).toBe('{"errors":[{"message":"not signed"}]}');
});

it('closes an idle connection before the subgraph would, as the subgraph announces', async () => {
  // A Node subgraph announces `Keep-Alive: timeout=3`; the client lets go after 2 s, the server would after 3 s.
  server.keepAliveTimeout = 3000;
  let closedByClient = false;
  server.once('connection', (socket) => socket.once('end', () => (closedByClient = true)));
  try {
    await (await fetcher().fetch(url, { method: 'POST', body: '{}' })).json();
    await waitUntil(() => closedByClient, 2900);
  } finally {
    server.keepAliveTimeout = 5000;
  }
});

it('sends a request again on a fresh connection when a kept-alive one is closed as it is reused', async () => {
  const requestsOnSocket = new WeakMap<object, number>();
  let requests = 0;
  handler = (req, res, body) => {
    requests += 1;
    const n = (requestsOnSocket.get(req.socket) ?? 0) + 1;
    requestsOnSocket.set(req.socket, n);
    // The second request on a connection meets the subgraph closing it (its idle timeout, a restart).
    if (n === 2) req.socket.destroy();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { echo: body } }));
  };
  const client = fetcher();
  expect(await (await client.fetch(url, { method: 'POST', body: '{"n":1}' })).json()).toEqual({ data: { echo: '{"n":1}' } });
  expect(await (await client.fetch(url, { method: 'POST', body: '{"n":2}' })).json()).toEqual({ data: { echo: '{"n":2}' } });
  expect(requests).toBe(3);
  expect(connections).toBe(2);
});

it('does not send a request again when a fresh connection fails', async () => {
  let requests = 0;
  handler = (req) => {
    requests += 1;
    req.socket.destroy();
  };
  await expect(fetcher().fetch(url, { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'ECONNRESET' });
  expect(requests).toBe(1);
});

it('fails when nothing listens at the address', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  await expect(fetcher().fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
});
