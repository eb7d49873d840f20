/**
 * `npm run bench`: runs the benchmarks (bounded, loopback only) and writes bench/results/.
 * `npm run bench -- subscriptions` (or `permissions`, `gateways`) runs only the named sections.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runGatewaySection } from './gatewayCompare';
import { runPermissionBench } from './permissionCheck';
import { runFanoutSection } from './subscriptionFanout';

const sections = process.argv.slice(2);
const wanted = (section: string) => sections.length === 0 || sections.includes(section);

async function main(): Promise<void> {
  if (wanted('permissions')) {
    console.log('Permission check cost per request (gateway, in process, microseconds):');
    const permissions = await runPermissionBench();
    console.table(permissions);
    writeFileSync(join(__dirname, 'results/permissions.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), unit: 'microseconds per request (includes parsing the query)', results: permissions }, null, 2)}\n`);
  }
  if (wanted('subscriptions')) await runFanoutSection();
  if (wanted('gateways')) await runGatewaySection();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
