import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** A path inside the project (the folder with package.json), the same from sources and from the built dist/. */
export function projectPath(relative: string): string {
  if (!root) {
    let dir = __dirname;
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    root = dir;
  }
  return join(root, relative);
}
