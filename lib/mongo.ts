import mongoose, { type Connection, type Model } from 'mongoose';

export interface ConnectOptions {
  /** Emit driver command events (`commandStarted`), used by tests that count queries. */
  readonly monitorCommands?: boolean;
}

/** Opens a dedicated mongoose connection (each service has its own) and waits until it is usable. */
export async function connectMongo(uri: string, options: ConnectOptions = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    monitorCommands: options.monitorCommands ?? false,
    serverSelectionTimeoutMS: 10_000,
    // The local server has no sessions or retryable writes; real MongoDB gets them from the URI.
    retryWrites: false,
  });
  await connection.asPromise();
  return connection;
}

/**
 * Creates collections and indexes of every model and waits for them.
 * The local MongoDB-compatible server can race a query against an index still being built,
 * so nothing may serve before this resolves (DESIGN.md, "Local services").
 */
export async function initModels(models: Readonly<Record<string, Model<any>>>): Promise<void> {
  for (const model of Object.values(models)) {
    await model.init();
    await model.createIndexes();
  }
}

/** Answers whether the database responds to a ping within `timeoutMs`. */
export async function pingMongo(connection: Connection, timeoutMs = 2000): Promise<boolean> {
  const db = connection.db;
  if (!db || connection.readyState !== 1) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('ping timed out')), timeoutMs);
    });
    await Promise.race([db.command({ ping: 1 }), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
