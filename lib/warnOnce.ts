const warned = new Set<string>();

/** Prints a loud warning to stderr once per key and process (config defaults, deprecated settings). */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.stderr.write(`\u001b[33mWARNING\u001b[0m ${message}\n`);
}
