/** The gateway's HTTP surface: `/graphql`, `/healthz`, `/readyz`. */
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import { withHttpStatus } from '../lib/httpContextError';
import type { Caller } from '../lib/caller';
import type { AuthHeaders } from './auth';
import type { GatewayContext } from './context';
import { checkSubgraphs } from './readiness';

export interface HttpOptions {
  readonly authenticate: (headers: AuthHeaders) => Promise<Caller>;
  readonly subgraphUrls: Readonly<Record<string, string>>;
}

/** Builds the express app around a started Apollo Server. */
export function createHttpApp(server: ApolloServer<GatewayContext>, options: HttpOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const subgraphs = await checkSubgraphs(options.subgraphUrls);
    const ready = subgraphs.every((s) => s.ready);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unready', subgraphs });
  });
  app.use(
    '/graphql',
    cors(),
    express.json({ limit: '1mb' }),
    expressMiddleware(server, {
      context: async ({ req }) => ({
        caller: await withHttpStatus(() =>
          options.authenticate({ authorization: req.header('authorization'), apiKey: req.header('x-api-key'), deviceId: req.header('x-device-id') }),
        ),
        requestId: req.header('x-request-id') ?? randomUUID(),
      }),
    }),
  );
  return app;
}
