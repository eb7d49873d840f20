/** `npm run bench`: runs the benchmarks (bounded, loopback only) and writes bench/results/. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPermissionBench } from './permissionCheck';
import { runFanoutBench } from './subscriptionFanout';

async function main(): Promise<void> {
  console.log('Permission check cost per request (gateway, in process, microseconds):');
  const permissions = await runPermissionBench();
  console.table(permissions);
  writeFileSync(join(__dirname, 'results/permissions.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), unit: 'microseconds per request (includes parsing the query)', results: permissions }, null, 2)}\n`);

  console.log('Live changes: mutation-to-delivery latency and subgraph reads per event (loopback, one machine):');
  const fanout = await runFanoutBench([
    { subscribers: 1, writesPerSecond: 20, seconds: 5 },
    { subscribers: 100, writesPerSecond: 20, seconds: 5 },
    { subscribers: 1000, writesPerSecond: 20, seconds: 5 },
    { subscribers: 1000, writesPerSecond: 100, seconds: 3 },
  ]);
  console.table(fanout);
  writeFileSync(join(__dirname, 'results/subscriptions.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), results: fanout }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
