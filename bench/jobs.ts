// What the gateway's thread asks of the load thread, and what comes back. Bodies may contain `__N__`,
// replaced by a counter unique within the run (for bill_no); body i goes to connection i (one customer
// per connection, as real customers do not pay from one wallet sixteen times at once).

export const COUNTER_PLACEHOLDER = '__N__';

/** What a reply must look like to count as a success. */
export interface Expectation {
  status: number;
  /** Substrings the body must contain, e.g. `"response_code":"00"`. */
  includes: readonly string[];
}

export interface AutocannonJob {
  kind: 'autocannon';
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** One body per customer; empty for GET. */
  bodies: readonly string[];
  expect: Expectation;
  connections: number;
  durationS: number;
  /** More gateways on the same database: the connections (and their customers) are split evenly over url and these. */
  otherUrls?: readonly string[];
}

/**
 * The same requests sent at evenly spaced times whatever the replies do (an open loop), body i % bodies
 * for request i; each latency counts from when its request was due, so a stall shows in it.
 */
export interface PacedJob extends Omit<AutocannonJob, 'kind' | 'otherUrls'> {
  kind: 'paced';
  ratePerS: number;
}

/** A PIN payment created over the API, then authorised on the hosted page or in the gateway's thread. */
export interface PinPairJob {
  kind: 'pin-pairs';
  url: string;
  bodies: readonly string[];
  pin: string;
  mode: 'page' | 'in-process';
  connections: number;
  durationS: number;
}

export type Job = AutocannonJob | PacedJob | PinPairJob;

export interface Measurement {
  /** Successful requests (or pairs) counted in the window. */
  ok: number;
  failures: number;
  /** A few failed replies, for the report. */
  failureSamples: string[];
  durationS: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export type ToWorker =
  | { type: 'run'; id: number; job: Job }
  | { type: 'authorised'; id: number; error?: string };

export type FromWorker =
  | { type: 'ready'; receiverUrl: string }
  | { type: 'result'; id: number; measurement?: Measurement; error?: string }
  | { type: 'authorise'; id: number; trxId: string; pin: string };
