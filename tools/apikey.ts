/** `npm run apikey -- create --tenant T --name N | revoke ID | list [--tenant T] | safelist ID --add F… | --clear`: partner API keys. */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { createApiKey, listApiKeys, operationHash, revokeApiKey, setSafelist } from '../lib/apiKeys';
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
  .command('safelist')
  .description('Restrict a key to registered operations (files with one operation each), or lift the restriction')
  .argument('<id>', 'the key id')
  .option('--add <files...>', '.graphql files whose exact text the key may run')
  .option('--clear', 'lift the restriction')
  .action(async (id: string, opts: { add?: string[]; clear?: boolean }) => {
    if (!opts.clear && !opts.add?.length) throw new Error('give --add FILE… or --clear');
    const hashes = opts.clear ? null : opts.add!.map((file) => operationHash(readFileSync(file, 'utf8').trim()));
    const found = await withDatabase((db) => setSafelist(db, id, hashes));
    if (!found) {
      console.error(`No key ${id}.`);
      process.exitCode = 1;
      return;
    }
    console.log(hashes ? `Key ${id} may now run only: ${hashes.join(', ')} (send each query's text exactly as in its file, e.g. with APQ).` : `Key ${id} may run any operation its role allows.`);
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
