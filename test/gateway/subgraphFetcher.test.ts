/** The gateway's client for subgraph requests, against a real HTTP server on loopback. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSubgraphFetcher, type SubgraphFetcher } from '../../gateway/subgraphFetcher';

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

it('fails when nothing listens at the address', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  await expect(fetcher().fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
});
