// The request id of the HTTP request being served, wherever its work leads. Deliveries are queued deep inside
// services that hosted pages, the merchant API and the background sweeper all call; passing the id down by
// hand would change every one of those signatures for the sake of one outbox column. An AsyncLocalStorage
// carries it instead: the app enters it once per request (api/request-id.ts), the outbox reads it when it
// queues a row, and work that no request caused (the expiry sweeper) finds none.
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<string>();

/** Runs `work` (and everything it starts) as part of the request `requestId`. */
export function runInRequest<T>(requestId: string, work: () => T): T {
  return scope.run(requestId, work);
}

/** The id of the request this code runs for, or undefined outside any request. */
export function currentRequestId(): string | undefined {
  return scope.getStore();
}
