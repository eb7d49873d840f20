/** Generated files are committed; these fail when someone changes an SDL and forgets to regenerate. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSupergraph, SUPERGRAPH_FILE } from '../../tools/compose';

const ROOT = join(__dirname, '../..');

it('has a supergraph composed from the current subgraph SDL (npm run compose)', () => {
  expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(composeSupergraph());
});

it('has resolver types generated from the current subgraph SDL (npm run codegen)', () => {
  const result = spawnSync(join(ROOT, 'node_modules/.bin/graphql-codegen'), ['--config', 'codegen.yml', '--check'], { cwd: ROOT, encoding: 'utf8' });
  // On stale output the CLI lists the files and exits 1.
  expect({ status: result.status, stale: /stale files/.test(result.stdout + result.stderr) }).toEqual({ status: 0, stale: false });
});
