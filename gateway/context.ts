import type { Caller } from '../lib/caller';

/** What the gateway knows about one request. */
export interface GatewayContext {
  readonly caller: Caller;
  readonly requestId: string;
}
