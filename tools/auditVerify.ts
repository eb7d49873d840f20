/** `npm run audit:verify`: checks every audit chain; exits 1 and names each problem when one was edited or cut. */
import { verifyAuditLog } from '../lib/auditLog';
import { withDatabase } from './withDatabase';

async function main(): Promise<void> {
  await withDatabase(async (connection) => {
    const result = await verifyAuditLog(connection);
    if (result.problems.length > 0) {
      console.error(`Audit log FAILED verification (${result.entries} entries in ${result.chains} chains):`);
      for (const problem of result.problems) console.error(`  - ${problem}`);
      process.exitCode = 1;
      return;
    }
    console.log(`Audit log verified: ${result.entries} entries in ${result.chains} chains, every link intact.`);
  });
}

main().catch((error: unknown) => {
  console.error(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
