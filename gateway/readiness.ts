/** The gateway is ready when every subgraph says it is ready. */

export interface SubgraphStatus {
  readonly name: string;
  readonly ready: boolean;
}

/** Asks each subgraph's `/readyz` (same origin as its GraphQL URL), in parallel, with a short timeout. */
export async function checkSubgraphs(urls: Readonly<Record<string, string>>, timeoutMs = 1500): Promise<SubgraphStatus[]> {
  return Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      try {
        const response = await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(timeoutMs) });
        return { name, ready: response.ok };
      } catch {
        return { name, ready: false };
      }
    }),
  );
}
