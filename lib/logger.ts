import pino, { type DestinationStream, type Logger } from 'pino';

/** Creates the JSON logger of one service; every line carries the service name. Logs go to stdout unless a destination is given. */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  return destination ? pino({ name: service, level, base: { service } }, destination) : pino({ name: service, level, base: { service } });
}

export type { Logger };
