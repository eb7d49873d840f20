import type { Connection, Model, Schema } from 'mongoose';

/** Returns the connection's model of that name, compiling it on first use (mongoose refuses to compile one twice). */
export function bindModel<T>(connection: Connection, name: string, schema: Schema<T>): Model<T> {
  return (connection.models[name] as Model<T> | undefined) ?? connection.model<T>(name, schema);
}
