/** `npm run apikey -- create --tenant T --name N | revoke ID | list [--tenant T]`: partner API keys. */
import { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../lib/apiKeys';
import { withDatabase } from './withDatabase';

const program = new Command('apikey').description('Create, revoke and list partner API keys (sent as the x-api-key header).');
program
  .command('create')
  .requiredOption('-t, --tenant <tenant>', 'the tenant the key may read')
  .requiredOption('-n, --name <name>', 'who the key is for, e.g. "Acme partner portal"')
  .action(async (opts: { tenant: string; name: string }) => {
    const { id, key } = await withDatabase((db) => createApiKey(db, opts.tenant, opts.name));
    console.log(`Created key ${id} for tenant ${opts.tenant}. It is shown once; store it now:\n${key}`);
  });
program
  .command('revoke')
  .argument('<id>', 'the key id (the part after cgk_)')
  .action(async (id: string) => {
    const revoked = await withDatabase((db) => revokeApiKey(db, id));
    if (!revoked) {
      console.error(`No active key ${id}.`);
      process.exitCode = 1;
      return;
    }
    console.log(`Revoked key ${id}.`);
  });
program
  .command('list')
  .option('-t, --tenant <tenant>', 'only this tenant')
  .action(async (opts: { tenant?: string }) => {
    const keys = await withDatabase((db) => listApiKeys(db, opts.tenant));
    if (keys.length === 0) console.log('No keys.');
    for (const k of keys) console.log(`${k._id}  ${k.tenant.padEnd(10)} ${k.revokedAt ? 'revoked' : 'active '}  ${k.createdAt.toISOString()}  ${k.name}`);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
