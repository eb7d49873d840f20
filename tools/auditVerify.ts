/** `npm run audit:verify`: checks every audit chain; exits 1 and names each problem when one was edited or cut. */
import { loadConfig } from '../lib/config';
import { verifyAuditLog } from '../lib/auditLog';
import { connectMongo } from '../lib/mongo';
import { provisionServices } from './services';

async function main(): Promise<void> {
  const config = loadConfig();
  const services = config.mongodbUri ? undefined : await provisionServices({ mongoBackend: 'h2', redis: false, log: () => undefined });
  const connection = await connectMongo(config.mongodbUri ?? services!.mongodbUri);
  try {
    const result = await verifyAuditLog(connection);
    if (result.problems.length > 0) {
      console.error(`Audit log FAILED verification (${result.entries} entries in ${result.chains} chains):`);
      for (const problem of result.problems) console.error(`  - ${problem}`);
      process.exitCode = 1;
      return;
    }
    console.log(`Audit log verified: ${result.entries} entries in ${result.chains} chains, every link intact.`);
  } finally {
    await connection.close();
    await services?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
