/** The gateway's HTTP surface: `/graphql`, `/healthz`, `/readyz`, `/metrics` and the live console at `/`. */
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import { withHttpStatus } from '../lib/httpContextError';
import type { AnomalyMonitor } from '../lib/anomalyMonitor';
import type { Metrics } from '../lib/metrics';
import type { Caller } from '../lib/caller';
import type { AuthHeaders } from './auth';
import type { GatewayContext } from './context';
import { checkSubgraphs } from './readiness';
import { createConsoleRouter, type ConsoleOptions } from './console';

export interface HttpOptions {
  readonly authenticate: (headers: AuthHeaders) => Promise<Caller>;
  /** Counts the request against the caller's limits; throws RATE_LIMITED past them. */
  readonly rateLimit?: (caller: Caller) => Promise<void>;
  readonly monitor: AnomalyMonitor;
  /** Largest request body accepted (bytes). */
  readonly bodyLimitBytes: number;
  readonly metrics: Metrics;
  /** Readiness of what the gateway needs besides the subgraphs (Redis). */
  readonly dependencies?: () => Record<string, boolean>;
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly console?: ConsoleOptions;
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
    const dependencies = options.dependencies?.() ?? {};
    const ready = subgraphs.every((s) => s.ready) && Object.values(dependencies).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unready', subgraphs, ...dependencies });
  });
  app.use(createConsoleRouter(options.console ?? {}));
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  app.use(
    '/graphql',
    cors(),
    express.json({ limit: options.bodyLimitBytes }),
    expressMiddleware(server, {
      context: async ({ req }) => {
        const caller = await withHttpStatus(async () => {
          try {
            const who = await options.authenticate({ authorization: req.header('authorization'), apiKey: req.header('x-api-key'), deviceId: req.header('x-device-id') });
            await options.rateLimit?.(who);
            return who;
          } catch (error) {
            if ((error as { code?: string }).code === 'UNAUTHENTICATED') options.monitor.record('failed_login');
            throw error;
          }
        });
        return { caller, requestId: req.header('x-request-id') ?? randomUUID() };
      },
    }),
  );
  // Bodies that are too large or not JSON never reach Apollo: answer them in GraphQL's shape.
  app.use((error: { type?: string; status?: number }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (error.type === 'entity.too.large') {
      res.status(413).json({ errors: [{ message: `Request body is larger than ${options.bodyLimitBytes} bytes`, extensions: { code: 'BAD_REQUEST' } }] });
    } else if (error.type === 'entity.parse.failed') {
      res.status(400).json({ errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    } else {
      next(error);
    }
  });
  return app;
}
