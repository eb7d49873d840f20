/**
 * Talking to the gateway over HTTP: who the console is signed in as, GraphQL requests, and the
 * fields this identity may never read (learnt from the gateway's FORBIDDEN answers, so the
 * console asks only for what it may see and marks the rest).
 */

/** How the console authenticates: a user token or a partner key, plus this browser's device id. */
export interface Session {
  readonly label: string;
  readonly token?: string;
  readonly apiKey?: string;
  readonly deviceId: string;
}

export interface GraphQLErrorShape {
  readonly message: string;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: { code?: string; fields?: string[]; [key: string]: unknown };
}

export interface GraphQLResult<T> {
  readonly data?: T | null;
  readonly errors?: readonly GraphQLErrorShape[];
}

/** A request the gateway refused as a whole (no data). */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The HTTP headers that carry a session. */
export function authHeaders(session: Session): Record<string, string> {
  return {
    ...(session.token ? { authorization: `Bearer ${session.token}` } : {}),
    ...(session.apiKey ? { 'x-api-key': session.apiKey } : {}),
    'x-device-id': session.deviceId,
  };
}

/** Posts one operation; returns data and field errors, throws RequestError when there is no data at all. */
export async function graphql<T>(session: Session, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResult<T>> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(session) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new RequestError('The gateway cannot be reached', 'OFFLINE');
  }
  const body = (await response.json().catch(() => ({}))) as GraphQLResult<T>;
  if (body.data === undefined || body.data === null) {
    const first = body.errors?.[0];
    throw new RequestError(first?.message ?? `HTTP ${response.status}`, first?.extensions?.code ?? `HTTP_${response.status}`, first?.extensions ?? {});
  }
  return body;
}

/**
 * Fields (`Type.field`) this identity can never read. The gateway refuses an operation that
 * selects one, naming them all; `learn` runs an operation built without the known ones and,
 * when refused for new ones, remembers them and tries again.
 */
export class FieldAccess {
  private readonly never = new Set<string>();
  private readonly writable: ReadonlySet<string>;

  /** `writable`: the fields the gateway says this identity may update (`me.writableFields`). */
  constructor(writable: readonly string[] = []) {
    this.writable = new Set(writable);
  }

  mayWrite(key: string): boolean {
    return this.writable.has(key);
  }

  isNeverReadable(key: string): boolean {
    return this.never.has(key);
  }

  /** Runs `build(access)`'s operation, learning forbidden fields until it is accepted. */
  async run<T>(session: Session, build: (access: FieldAccess) => string, variables: Record<string, unknown> = {}): Promise<GraphQLResult<T>> {
    for (;;) {
      try {
        return await graphql<T>(session, build(this), variables);
      } catch (error) {
        const fields = error instanceof RequestError && error.code === 'FORBIDDEN' ? (error.extensions.fields as string[] | undefined) : undefined;
        const fresh = (fields ?? []).filter((field) => !this.never.has(field));
        if (fresh.length === 0) throw error;
        for (const field of fresh) this.never.add(field);
      }
    }
  }
}

/** The error of a response at exactly this path, if any. */
export function errorAt(errors: readonly GraphQLErrorShape[] | undefined, path: ReadonlyArray<string | number>): GraphQLErrorShape | undefined {
  return errors?.find((error) => error.path?.length === path.length && error.path.every((part, i) => part === path[i]));
}
