import type { Connection } from 'mongoose';
import { loadConfig } from '../lib/config';
import { connectMongo } from '../lib/mongo';
import { provisionServices } from './services';

/**
 * Runs a tool against MONGODB_URI, or, when it is unset, against the local server `npm start` uses
 * (started for the run and stopped after it). The connection is closed whatever happens.
 */
export async function withDatabase<T>(run: (connection: Connection) => Promise<T>, log: (message: string) => void = () => undefined): Promise<T> {
  const config = loadConfig();
  const services = config.mongodbUri ? undefined : await provisionServices({ mongoBackend: 'h2', redis: false, log });
  const connection = await connectMongo(config.mongodbUri ?? services!.mongodbUri);
  try {
    return await run(connection);
  } finally {
    await connection.close();
    await services?.stop();
  }
}
