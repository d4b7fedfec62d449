// The shop's events as the demo sees them: printed as they happen, and waited for by the steps.
import type { ShopEvent } from '../server.ts';
import { DemoFailure } from './check.ts';
import { printShopEvent } from './narration.ts';

/** How long the demo waits for anything: a page, a callback, a notification. */
export const WAIT_MS = 10_000;

export class ShopEventLog {
  private readonly events: ShopEvent[] = [];
  private readonly waiters = new Set<() => void>();

  /** Where the next event will stand: what a step waits from. */
  get mark(): number {
    return this.events.length;
  }

  readonly record = (event: ShopEvent): void => {
    this.events.push(event);
    printShopEvent(event);
    for (const wake of this.waiters) wake();
  };

  /** Resolves once an event since `from` matches, or fails the demo after WAIT_MS. */
  waitFor(from: number, what: string, match: (event: ShopEvent) => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const look = () => {
        if (!this.events.slice(from).some(match)) return;
        this.waiters.delete(look);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(look);
        reject(new DemoFailure(`the shop did not receive ${what} within ${WAIT_MS / 1000} s`));
      }, WAIT_MS);
      this.waiters.add(look);
      look();
    });
  }
}
