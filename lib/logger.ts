import pino, { type Logger } from 'pino';

/** Creates the JSON logger of one service; every line carries the service name. */
export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level, base: { service } });
}

export type { Logger };
