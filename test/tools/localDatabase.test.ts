/**
 * The write guarantees stand on two properties of the MongoDB-compatible server under the tests.
 * If a later change of server breaks either, these fail before any product test can mislead.
 */
import { Schema, type Connection } from 'mongoose';
import { connectMongo } from '../../lib/mongo';
import { testMongoUri, uniqueDatabase } from '../support/env';

let db: Connection;

beforeAll(async () => {
  db = await connectMongo(testMongoUri(uniqueDatabase('localdb')));
});
afterAll(async () => {
  await db.dropDatabase();
  await db.close();
});

it('lets exactly one of 50 concurrent conditional updates of one document win', async () => {
  const docs = db.collection('race');
  for (let round = 0; round < 5; round++) {
    const { insertedId } = await docs.insertOne({ version: 1, round });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => docs.updateOne({ _id: insertedId, version: 1 }, { $inc: { version: 1 }, $set: { winner: i } })),
    );
    expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(1);
    expect(await docs.findOne({ _id: insertedId })).toMatchObject({ version: 2 });
  }
});

it('rejects a duplicate key of a unique index with error 11000', async () => {
  const Model = db.model('UniqueThing', new Schema({ tenant: String, key: String }).index({ tenant: 1, key: 1 }, { unique: true }));
  await Model.init();
  await Model.create({ tenant: 'acme', key: 'k1' });
  await Model.create({ tenant: 'globex', key: 'k1' });
  await expect(Model.create({ tenant: 'acme', key: 'k1' })).rejects.toMatchObject({ code: 11000 });
});

it('reports the server the tests ran against', async () => {
  const info = await db.db!.admin().command({ buildInfo: 1 });
  // mongoose 8 needs wire version >= 8 (MongoDB 4.2+); mongo-java-server is set to report 5.0.
  const hello = await db.db!.admin().command({ isMaster: 1 });
  expect(hello.maxWireVersion).toBeGreaterThanOrEqual(8);
  expect(typeof info.version).toBe('string');
});
