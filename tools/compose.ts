/**
 * `npm run compose`: composes schema/<name>.graphql into schema/supergraph.graphql
 * with @apollo/composition, as listed in schema/supergraph.yaml.
 * `npm run compose -- --check` exits 1 when the committed supergraph is stale.
 */
import { composeServices } from '@apollo/composition';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseGraphQL } from 'graphql';
import { parse as parseYaml } from 'yaml';

const ROOT = resolve(__dirname, '..');
export const SUPERGRAPH_CONFIG = join(ROOT, 'schema/supergraph.yaml');
export const SUPERGRAPH_FILE = join(ROOT, 'schema/supergraph.graphql');

interface CompositionConfig {
  subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
}

/** Composes the subgraphs listed in the config file and returns the supergraph SDL; throws with every composition error. */
export function composeSupergraph(configPath = SUPERGRAPH_CONFIG): string {
  const config = parseYaml(readFileSync(configPath, 'utf8')) as CompositionConfig;
  const services = Object.entries(config.subgraphs).map(([name, entry]) => ({
    name,
    url: entry.routing_url,
    typeDefs: parseGraphQL(readFileSync(join(dirname(configPath), entry.schema.file), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

function main(): void {
  const sdl = composeSupergraph();
  if (process.argv.includes('--check')) {
    const current = readFileSync(SUPERGRAPH_FILE, 'utf8');
    if (current !== sdl) {
      console.error('schema/supergraph.graphql is stale: run `npm run compose` and commit the result.');
      process.exit(1);
    }
    console.log('schema/supergraph.graphql is up to date.');
    return;
  }
  writeFileSync(SUPERGRAPH_FILE, sdl);
  console.log(`Wrote ${SUPERGRAPH_FILE} (${sdl.length} bytes).`);
}

if (require.main === module) main();
