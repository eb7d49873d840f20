/** Thrown by a `switch` over a union that met a case it does not know (the compiler proves it cannot). */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}
