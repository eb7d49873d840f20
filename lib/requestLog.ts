import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from './logger';

/**
 * One log line per GraphQL request: request id (the gateway forwards it to the subgraphs as
 * `x-request-id`, so one id follows a request everywhere), operation, duration and error codes.
 */
export function createRequestLogPlugin(logger: Logger): ApolloServerPlugin<{ requestId?: string }> {
  return {
    async requestDidStart({ request }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ contextValue, operation, response }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          logger.info(
            {
              requestId: contextValue.requestId,
              operation: request.operationName ?? operation?.name?.value ?? null,
              type: operation?.operation ?? null,
              durationMs: Number(process.hrtime.bigint() - started) / 1e6,
              ...(errors.length > 0 ? { errors: errors.map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR') } : {}),
            },
            'graphql request',
          );
        },
      };
    },
  };
}
