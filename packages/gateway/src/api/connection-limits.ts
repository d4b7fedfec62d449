// The cap on open connections per client IP. It acts when a connection is accepted, before a byte of HTTP is
// read, so the IP is the TCP peer's: X-Forwarded-For is not known yet (see the README on OVO_TRUST_PROXY).
import type { Server } from 'node:net';

/** The parts of a socket the cap looks at (a net.Socket in the server). */
export interface CountedSocket {
  readonly remoteAddress?: string | undefined;
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** Counts open connections per peer address; a connection beyond `max` from one address is closed at once. */
export class ConnectionsPerIp {
  readonly #max: number;
  readonly #open = new Map<string, number>();

  constructor(max: number) {
    this.#max = max;
  }

  /** Admits the socket (and counts it until it closes), or destroys it when its address is at the cap. */
  admit(socket: CountedSocket): boolean {
    const address = socket.remoteAddress;
    // A peer that has already gone has no address; there is nothing to serve.
    if (address === undefined) {
      socket.destroy();
      return false;
    }
    const open = this.#open.get(address) ?? 0;
    if (open >= this.#max) {
      // Closing without an HTTP reply: a 503 would mean reading the request, which is what the cap saves.
      socket.destroy();
      return false;
    }
    this.#open.set(address, open + 1);
    socket.once('close', () => {
      const left = (this.#open.get(address) ?? 1) - 1;
      if (left === 0) this.#open.delete(address);
      else this.#open.set(address, left);
    });
    return true;
  }

  /** Open connections from this address. */
  openFrom(address: string): number {
    return this.#open.get(address) ?? 0;
  }
}

/** Applies the cap to every connection the server accepts; 0 disables it. */
export function limitConnectionsPerIp(server: Server, max: number): void {
  if (max === 0) return;
  const connections = new ConnectionsPerIp(max);
  server.on('connection', (socket) => connections.admit(socket));
}
