/**
 * `npm run device -- --token T [--ids a,b] [--state FILE]`: a terminal device. It subscribes and
 * prints changes live, keeps a local cache and its last cursor in the state file, resumes with
 * `after` on restart, and replays writes queued while offline (`device edit …`) with their
 * clientMutationId, showing any VERSION_CONFLICT with both values. It retries with backoff and
 * says when it is offline.
 *
 *   npm run device -- edit --token T --state FILE --id ID --set company="New Co" [--set stage=WON]
 */
import { Command } from 'commander';
import { createClient } from 'graphql-ws';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import WebSocket from 'ws';

interface QueuedWrite {
  readonly clientMutationId: string;
  readonly id: string;
  readonly expectedVersion: number;
  readonly input: Record<string, unknown>;
}

interface DeviceState {
  cursor: string | null;
  customers: Record<string, { version: number; [field: string]: unknown }>;
  queue: QueuedWrite[];
}

const FIELDS = 'id version name company email phone stage ownerId dealValue';
const UPDATE = `mutation($id: ID!, $v: Int!, $input: UpdateCustomerInput!, $cmid: ID) { updateCustomer(id: $id, expectedVersion: $v, input: $input, clientMutationId: $cmid) { ${FIELDS} } }`;

function loadState(path: string): DeviceState {
  if (!existsSync(path)) return { cursor: null, customers: {}, queue: [] };
  return JSON.parse(readFileSync(path, 'utf8')) as DeviceState;
}

// Written to a temporary file of this process, then renamed: a crash never leaves half a state file.
// Writes queued meanwhile by `device edit` (another process) are kept: the queue on disk is merged in.
function saveState(path: string, state: DeviceState): void {
  const onDisk = loadState(path);
  for (const write of onDisk.queue) {
    if (!state.queue.some((w) => w.clientMutationId === write.clientMutationId) && !sent.has(write.clientMutationId)) state.queue.push(write);
  }
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state, null, 2));
  renameSync(temporary, path);
}

/** clientMutationIds this process has sent (so a merge from disk does not bring them back). */
const sent = new Set<string>();
// Errors worth retrying later: the write stays queued.
const TRANSIENT = new Set(['UNAUTHENTICATED', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR', 'SUBGRAPH_UNAVAILABLE']);
let replaying: Promise<number> | undefined;

interface Connection {
  readonly url: string;
  readonly token: string;
  readonly deviceId: string;
}

async function post(conn: Connection, query: string, variables: Record<string, unknown>): Promise<{ data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> }> {
  const response = await fetch(conn.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${conn.token}`, 'x-device-id': conn.deviceId },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  return (await response.json()) as never;
}

/** Sends queued writes in order, one replay at a time; keeps them when they cannot be sent now. Returns how many are left. */
function replayQueue(conn: Connection, state: DeviceState, statePath: string): Promise<number> {
  replaying ??= sendQueued(conn, state, statePath).finally(() => {
    replaying = undefined;
  });
  return replaying;
}

async function sendQueued(conn: Connection, state: DeviceState, statePath: string): Promise<number> {
  saveState(statePath, state); // picks up writes queued by `device edit` since the last save
  while (state.queue.length > 0) {
    const write = state.queue[0];
    let result;
    try {
      result = await post(conn, UPDATE, { id: write.id, v: write.expectedVersion, input: write.input, cmid: write.clientMutationId });
    } catch {
      console.log(`offline: ${state.queue.length} write(s) stay queued`);
      return state.queue.length;
    }
    const error = result.errors?.[0];
    if (error?.extensions?.code === 'VERSION_CONFLICT') {
      const mine = Object.fromEntries(error.extensions.conflictingFields.map((f: string) => [f, write.input[f]]));
      console.log(`conflict on ${write.id} ${error.extensions.conflictingFields.join(', ')}: mine ${JSON.stringify(mine)}, theirs ${JSON.stringify(error.extensions.current)} (now version ${error.extensions.currentVersion}); edit again to resolve`);
    } else if (error && TRANSIENT.has(error.extensions?.code)) {
      console.log(`write to ${write.id} not sent now (${error.extensions?.code}): ${state.queue.length} write(s) stay queued`);
      return state.queue.length;
    } else if (error) {
      console.log(`write to ${write.id} refused: ${error.extensions?.code ?? 'ERROR'} ${error.message}`);
    } else {
      const customer = result.data.updateCustomer;
      state.customers[customer.id] = customer;
      console.log(`sent queued write ${write.clientMutationId}: ${write.id} is now version ${customer.version}`);
    }
    sent.add(write.clientMutationId);
    state.queue = state.queue.filter((w) => w.clientMutationId !== write.clientMutationId);
    saveState(statePath, state);
  }
  return 0;
}

// A device without a cursor starts from a snapshot: the followed customers now, and the newest cursor.
async function initialSync(conn: Connection, state: DeviceState, statePath: string, ids: string[] | undefined): Promise<void> {
  if (state.cursor !== null) return;
  try {
    const head = await post(conn, '{ latestChangeCursor }', {});
    for (const id of ids ?? []) {
      const result = await post(conn, `query($id: ID!) { customer(id: $id) { ${FIELDS} } }`, { id });
      if (result.data?.customer) state.customers[id] = result.data.customer;
    }
    state.cursor = head.data?.latestChangeCursor ?? null;
    saveState(statePath, state);
  } catch {
    console.log('offline: starting without a snapshot');
  }
}

async function listen(conn: Connection, statePath: string, ids: string[] | undefined, once: boolean): Promise<void> {
  const state = loadState(statePath);
  await initialSync(conn, state, statePath, ids);
  const wsUrl = conn.url.replace(/^http/, 'ws');
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${conn.token}`, deviceId: conn.deviceId },
    retryAttempts: once ? 0 : Number.POSITIVE_INFINITY,
    shouldRetry: () => !once,
    on: {
      connected: () => {
        console.log(`online (${wsUrl}) as device ${conn.deviceId}`);
        void replayQueue(conn, state, statePath).then(() => once && setTimeout(() => done(), 500));
      },
      closed: (event) => {
        const code = (event as { code?: number }).code;
        if (code === 4401 || code === 4403) {
          console.log(`the gateway closed the connection (${code}): get a new token`);
          done();
        } else if (!once) console.log('offline: retrying with backoff…');
        else done();
      },
    },
  });
  const subscription = `subscription($after: String, $ids: [ID!]) { customerChanged(after: $after, ids: $ids) { cursor customerId source version changedFields actor deviceId at customer { ${FIELDS} } } }`;
  // graphql-ws sends the same payload again on every reconnect: the getter makes it resume from the
  // last cursor received, not from the one the process started with.
  const variables = {
    get after() {
      return state.cursor;
    },
    ids: ids ?? null,
  };
  const stop = client.subscribe(
    { query: subscription, variables },
    {
      next: (result) => {
        const change = (result.data as { customerChanged?: any } | undefined)?.customerChanged;
        if (!change) {
          const code = result.errors?.[0]?.extensions?.code;
          if (code === 'CURSOR_EXPIRED') {
            console.log('the cursor is older than the feed keeps: starting again from now; refresh your data');
            state.cursor = null;
            saveState(statePath, state);
          }
          return;
        }
        if (change.customer) state.customers[change.customerId] = change.customer;
        state.cursor = change.cursor;
        saveState(statePath, state);
        console.log(`${change.at} ${change.source} ${change.customerId} v${change.version} ${change.changedFields.join(',')} by ${change.actor}${change.deviceId ? `@${change.deviceId}` : ''}: ${change.customer?.name ?? ''}`);
      },
      error: (error) => {
        console.log(`subscription error: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
        done();
      },
      complete: () => done(),
    },
  );
  const stopAll = () => {
    stop();
    void client.dispose();
    done();
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  await finished;
  stop();
  await client.dispose();
}

async function edit(conn: Connection, statePath: string, id: string, assignments: string[], expected?: number): Promise<void> {
  const state = loadState(statePath);
  const input: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const [field, ...rest] = assignment.split('=');
    const value = rest.join('=');
    input[field] = field === 'dealValue' ? Number(value) : value === '' ? null : value;
  }
  const expectedVersion = expected ?? state.customers[id]?.version;
  if (expectedVersion === undefined) throw new Error(`customer ${id} is not in the local cache: sync first (npm run device) or pass --expected-version`);
  state.queue.push({ clientMutationId: `${conn.deviceId}:${randomUUID()}`, id, expectedVersion, input });
  saveState(statePath, state);
  const left = await replayQueue(conn, state, statePath);
  if (left > 0) console.log(`queued: ${left} write(s) will be sent when the device is online`);
}

const program = new Command('device').description('A terminal device that stays in sync with Customer Graph.').enablePositionalOptions();
// `--token` is checked in the actions: commander would demand the root's required options of `edit` too.
const common = (command: Command) =>
  command
    .option('-t, --token <jwt>', 'user token (npm run token), required')
    .option('-u, --url <url>', 'gateway GraphQL URL', 'http://localhost:4000/graphql')
    .option('-s, --state <file>', 'state file (cache, cursor, queued writes)', '.device-state.json')
    .option('-d, --device <id>', 'device id', `cli-${hostname()}`);

common(program)
  .option('-i, --ids <ids>', 'comma-separated customer ids to follow (default: all visible)')
  .option('--once', 'send queued writes, catch up, then exit')
  .action(async (opts: { token: string; url: string; state: string; device: string; ids?: string; once?: boolean }) => {
    requireToken(opts.token);
    await listen({ url: opts.url, token: opts.token, deviceId: opts.device }, opts.state, opts.ids?.split(',').filter(Boolean), opts.once ?? false);
  });

common(program.command('edit').description('Change fields of a customer (queued while offline)'))
  .requiredOption('--id <id>', 'customer id')
  .requiredOption('--set <field=value...>', 'fields to change, e.g. --set company="New Co" --set stage=WON')
  .option('--expected-version <n>', 'the version the change is based on (default: the cached one)', Number)
  .action(async (opts: { token: string; url: string; state: string; device: string; id: string; set: string[]; expectedVersion?: number }) => {
    requireToken(opts.token);
    await edit({ url: opts.url, token: opts.token, deviceId: opts.device }, opts.state, opts.id, opts.set, opts.expectedVersion);
  });

function requireToken(token: string | undefined): void {
  if (!token) throw new Error('--token <jwt> is required (npm run token -- --role sales --sub you --tenant acme prints one)');
}

program.parseAsync().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
