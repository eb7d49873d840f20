/**
 * Subscriber side of the fan-out benchmark, run as its own process so client work does not slow the
 * gateway it measures. Opens N graphql-ws clients, subscribes each, and reports every arrival
 * (version, epoch time in ms) to the parent over IPC.
 */
import { performance } from 'node:perf_hooks';
import { collect, connect } from '../test/support/wsClient';

interface Start {
  readonly url: string;
  readonly token: string;
  readonly subscribers: number;
  readonly after: string;
  readonly customerId: string;
}

const now = () => performance.timeOrigin + performance.now();

process.on('message', async (message: Start | 'stop') => {
  if (message === 'stop') process.exit(0);
  const arrivals: Array<[number, number]> = [];
  const clients = [];
  for (let i = 0; i < message.subscribers; i++) {
    // Connect in small batches: a thousand simultaneous handshakes only measure the accept queue.
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
    const client = connect(message.url, { authorization: `Bearer ${message.token}` });
    clients.push(client);
    const collected = collect(client, `subscription($after: String, $ids: [ID!]) { customerChanged(after: $after, ids: $ids) { version customer { name company } } }`, {
      after: message.after,
      ids: [message.customerId],
    });
    const push = collected.results.push.bind(collected.results);
    collected.results.push = (...items) => {
      const t = now();
      for (const item of items) {
        const version = (item.data?.customerChanged as { version: number } | undefined)?.version;
        if (version !== undefined) arrivals.push([version, t]);
      }
      return push(...items);
    };
  }
  setInterval(() => {
    if (arrivals.length > 0) process.send!(arrivals.splice(0, arrivals.length));
  }, 50);
});
