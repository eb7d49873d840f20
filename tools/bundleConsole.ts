/**
 * Bundles the console's browser code (console/src/main.ts) with esbuild. `npm run build` calls it
 * with an output directory (dist/console/ gets the page, the stylesheet and app.js); the gateway
 * calls it in memory when it runs from a source checkout.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE_DIR = join(__dirname, '../console');

/** Returns the bundled script. */
export async function bundleConsole(): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(SOURCE_DIR, 'src/main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** Writes index.html, console.css and app.js into `outDir`. */
export async function writeConsole(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  for (const file of ['index.html', 'console.css']) copyFileSync(join(SOURCE_DIR, file), join(outDir, file));
  writeFileSync(join(outDir, 'app.js'), await bundleConsole());
}

if (require.main === module) {
  const outDir = process.argv[2] ?? join(__dirname, '../dist/console');
  writeConsole(outDir)
    .then(() => console.log(`console bundled into ${outDir}`))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
