/**
 * Prometheus metrics of one service (prom-client), exposed on `/metrics`: GraphQL requests and their
 * latency per operation, errors by code, and the service-specific gauges registered by the caller.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly requests: Counter<'operation' | 'type'>;
  readonly latency: Histogram<'operation' | 'type'>;
  readonly errors: Counter<'code'>;
  /** Registers a gauge whose value is read at scrape time. */
  gauge(name: string, help: string, read: () => number | Promise<number>): void;
  /** Creates a counter of this service's registry. */
  counter(name: string, help: string): Counter;
  /** Creates a histogram of this service's registry (seconds). */
  histogram(name: string, help: string, buckets?: number[]): Histogram;
}

/** A registry with default process metrics, labelled with the service name. */
export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({ name: 'cg_graphql_requests_total', help: 'GraphQL operations by name and type', labelNames: ['operation', 'type'], registers: [registry] }),
    latency: new Histogram({
      name: 'cg_graphql_request_duration_seconds',
      help: 'GraphQL operation latency by name and type',
      labelNames: ['operation', 'type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    errors: new Counter({ name: 'cg_graphql_errors_total', help: 'GraphQL errors by extensions.code', labelNames: ['code'], registers: [registry] }),
    gauge(name, help, read) {
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          this.set(await read());
        },
      });
    },
    counter: (name, help) => new Counter({ name, help, registers: [registry] }),
    histogram: (name, help, buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]) => new Histogram({ name, help, buckets, registers: [registry] }),
  };
}

/** Counts every operation (by name, `anonymous` otherwise) with its latency and the codes of its errors. */
export function createMetricsPlugin(metrics: Metrics): ApolloServerPlugin {
  return {
    async requestDidStart({ request }) {
      const started = process.hrtime.bigint();
      return {
        // Counted as the client sees them (after formatError gave each its final code).
        async willSendResponse({ operation, response }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          for (const error of errors) metrics.errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
          const labels = { operation: request.operationName ?? operation?.name?.value ?? 'anonymous', type: operation?.operation ?? 'unknown' };
          metrics.requests.inc(labels);
          metrics.latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
