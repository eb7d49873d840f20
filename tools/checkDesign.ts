/**
 * `npm run check:design`: fails when the role table in docs/permissions.md (which the permission
 * matrix test is generated from) differs from the one in ../shared/DESIGN.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** The markdown role table (`| role | reads | writes |` and its rows) of a document. */
export function extractRoleTable(markdown: string): string {
  const start = markdown.indexOf('| role | reads | writes |');
  if (start < 0) throw new Error('no role table (| role | reads | writes |) found');
  const end = markdown.indexOf('\n\n', start);
  return markdown.slice(start, end < 0 ? undefined : end).trim();
}

function main(): void {
  const designPath = join(ROOT, '../shared/DESIGN.md');
  const design = extractRoleTable(readFileSync(designPath, 'utf8'));
  const ours = extractRoleTable(readFileSync(join(ROOT, 'docs/permissions.md'), 'utf8'));
  if (design !== ours) {
    console.error(`The role table of docs/permissions.md differs from ${designPath}: update docs/permissions.md and lib/policy.ts together.`);
    process.exit(1);
  }
  console.log('docs/permissions.md matches the role table of DESIGN.md.');
}

if (require.main === module) main();
