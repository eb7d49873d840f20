/** `npm run bench`: runs the benchmarks (bounded, loopback only) and writes bench/results/. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPermissionBench } from './permissionCheck';

async function main(): Promise<void> {
  console.log('Permission check cost per request (gateway, in process, microseconds):');
  const permissions = await runPermissionBench();
  console.table(permissions);
  writeFileSync(join(__dirname, 'results/permissions.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), unit: 'microseconds per request (includes parsing the query)', results: permissions }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
