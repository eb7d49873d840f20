import type { LocalServices } from '../../tools/services';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __services?: LocalServices }).__services?.stop();
}
