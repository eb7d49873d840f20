/** `npm run token -- --role sales --sub sales-1 --tenant acme`: prints a dev JWT signed with JWT_SECRET. */
import { Command, InvalidArgumentError } from 'commander';
import { ROLES, isRole, type Role } from '../lib/caller';
import { loadConfig } from '../lib/config';
import { signToken } from '../lib/token';

function parseRoles(value: string): Role[] {
  const roles = value.split(',').map((r) => r.trim());
  const bad = roles.filter((r) => !isRole(r));
  if (bad.length > 0) throw new InvalidArgumentError(`unknown role ${bad.join(', ')}; roles are ${ROLES.join(', ')}`);
  return roles as Role[];
}

function parseHours(value: string): number {
  const hours = Number(value);
  if (!Number.isFinite(hours) || hours <= 0) throw new InvalidArgumentError('must be a positive number of hours');
  return hours;
}

const program = new Command('token')
  .description('Print a development JWT for the gateway (Authorization: Bearer <token>).')
  .requiredOption('-r, --role <roles>', `role, or comma-separated roles: ${ROLES.join(', ')}`, parseRoles)
  .option('-s, --sub <id>', 'user id (the token subject)', 'dev-user')
  .option('-t, --tenant <tenant>', 'tenant', 'acme')
  .option('--hours <n>', 'validity in hours', parseHours, 12)
  .action((options: { role: Role[]; sub: string; tenant: string; hours: number }) => {
    const config = loadConfig();
    process.stdout.write(`${signToken({ sub: options.sub, tenant: options.tenant, roles: options.role }, config.jwtSecret, options.hours * 3600)}\n`);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
