/**
 * Reads the role table of docs/permissions.md (a checked copy of DESIGN.md's) into what each role
 * may read and write, so the permission matrix test is generated from the document, not from lib/policy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CUSTOMER_FIELDS = ['id', 'name', 'company', 'email', 'phone', 'idNumber', 'ownerId', 'stage', 'dealValue', 'history'];
export const SERVICE_FIELDS = ['service.tier', 'service.tickets', 'service.openTickets', 'service.satisfaction', 'service.lastContactAt'];
export const MARKETING_FIELDS = ['marketing.tags', 'marketing.segments', 'marketing.leadScore', 'marketing.consent'];
export const ALL_FIELDS = [...CUSTOMER_FIELDS, ...SERVICE_FIELDS, ...MARKETING_FIELDS];

/** When a role may read a field: always, on customers it owns, or where marketing consent to email holds. */
export type ReadCondition = 'always' | 'own' | 'consent';

export const WRITE_OPS = ['createCustomer', 'updateCustomer', 'updateServiceProfile', 'openTicket', 'updateMarketingProfile'] as const;
export type WriteOp = (typeof WRITE_OPS)[number];

export interface RoleSpec {
  readonly role: string;
  readonly reads: ReadonlyMap<string, ReadCondition>;
  /** Each op the role may run, and whether only on customers it owns. */
  readonly writes: ReadonlyMap<WriteOp, 'any' | 'own'>;
}

/** Parses every row of the table. Throws on a phrase it does not understand, so the table cannot drift silently. */
export function readRoleTable(path = join(__dirname, '../../docs/permissions.md')): RoleSpec[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('| role | reads | writes |'));
  const rows: RoleSpec[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [role, reads, writes] = line.split('|').slice(1, 4).map((c) => c.trim());
    rows.push({ role, reads: parseReads(reads), writes: parseWrites(writes) });
  }
  return rows;
}

function parseReads(cell: string): Map<string, ReadCondition> {
  const reads = new Map<string, ReadCondition>();
  if (cell === 'everything in the tenant') return new Map(ALL_FIELDS.map((f) => [f, 'always']));
  const except = /^everything except (.+)$/.exec(cell);
  if (except) {
    const excluded = backticked(except[1]).flatMap((g) => g.split(/\s+/));
    return new Map(ALL_FIELDS.filter((f) => !excluded.includes(f)).map((f) => [f, 'always']));
  }
  for (const part of splitTopLevel(cell)) {
    const consent = /\((\w+) only where `consent\.email`\)/.exec(part);
    const condition: ReadCondition = /customers they own/.test(part) ? 'own' : 'always';
    const allOf = /^all of `(service|marketing)`$/.exec(part);
    if (allOf) {
      for (const f of allOf[1] === 'service' ? SERVICE_FIELDS : MARKETING_FIELDS) reads.set(f, 'always');
      continue;
    }
    const groups = backticked(part.replace(/\(.*?\)/g, ''));
    if (groups.length === 0) throw new Error(`cannot read the role table phrase ${JSON.stringify(part)}`);
    for (const group of groups) {
      const [first, ...rest] = group.split(/\s+/);
      const prefix = /^(service|marketing)\./.exec(first)?.[0] ?? '';
      for (const token of [first.slice(prefix.length), ...rest]) {
        const field = `${prefix}${token}`;
        if (!ALL_FIELDS.includes(field)) throw new Error(`unknown field ${field} in the role table`);
        reads.set(field, condition);
      }
    }
    if (consent) reads.set(consent[1], 'consent');
  }
  return reads;
}

function parseWrites(cell: string): Map<WriteOp, 'any' | 'own'> {
  const writes = new Map<WriteOp, 'any' | 'own'>();
  const rules: Array<[RegExp, Array<[WriteOp, 'any' | 'own']>]> = [
    [/^nothing$/, []],
    [/^everything$/, WRITE_OPS.map((op) => [op, 'any'])],
    [/^all customers$/, [['createCustomer', 'any'], ['updateCustomer', 'any']]],
    [/^all profiles$/, [['updateServiceProfile', 'any'], ['openTicket', 'any'], ['updateMarketingProfile', 'any']]],
    [/^core fields of customers they own$/, [['updateCustomer', 'own']]],
    [/^create customers \(owned by them\)$/, [['createCustomer', 'any']]],
    [/^`service` profile and tickets$/, [['updateServiceProfile', 'any'], ['openTicket', 'any']]],
    [/^`marketing` profile$/, [['updateMarketingProfile', 'any']]],
  ];
  for (const part of cell.split(/[;,]\s*/)) {
    const rule = rules.find(([pattern]) => pattern.test(part.trim()));
    if (!rule) throw new Error(`cannot read the role table phrase ${JSON.stringify(part)}`);
    for (const [op, scope] of rule[1]) writes.set(op, scope);
  }
  return writes;
}

function backticked(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((g) => !g.includes('='));
}

// Splits on ';' and ',' that are not inside parentheses.
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if ((char === ';' || char === ',') && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}
