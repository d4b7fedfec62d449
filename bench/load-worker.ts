// The load thread: drives the gateway over HTTP (autocannon; a fetch loop for the two-step PIN flow and for
// a fixed rate, since autocannon's own rate sends each second's quota at once at the start of the second)
// and plays the merchant's notification receiver, so neither competes with the gateway's event loop.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import autocannon from 'autocannon';
import { authoriseOnPage } from './page-client.ts';
import { COUNTER_PLACEHOLDER, type AutocannonJob, type FromWorker, type Measurement, type PacedJob, type PinPairJob, type ToWorker } from './jobs.ts';

const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);
const FAILURE_SAMPLES_MAX = 3;

let counter = 0;
const withCounter = (body: string) => body.replaceAll(COUNTER_PLACEHOLDER, String(++counter));

// The merchant acknowledges every payment notification, as spec §4.5 asks.
const receiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"response":"Payment Notification","response_code":"00","response_desc":"Success"}');
  });
});
receiver.keepAliveTimeout = 30_000;
receiver.listen(0, '127.0.0.1', () => {
  send({ type: 'ready', receiverUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}` });
});

const pendingAuthorisations = new Map<number, { resolve(): void; reject(error: Error): void }>();
let authorisationId = 0;

port.on('message', (message: ToWorker) => {
  if (message.type === 'authorised') {
    const waiter = pendingAuthorisations.get(message.id);
    pendingAuthorisations.delete(message.id);
    if (message.error === undefined) waiter?.resolve();
    else waiter?.reject(new Error(message.error));
    return;
  }
  const { id, job } = message;
  const run = job.kind === 'autocannon' ? runAutocannon(job) : job.kind === 'paced' ? runPaced(job) : runPinPairs(job);
  run.then(
    (measurement) => send({ type: 'result', id, measurement }),
    (error: unknown) => send({ type: 'result', id, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
});

class FailureLog {
  count = 0;
  readonly samples: string[] = [];
  add(what: string): void {
    this.count++;
    if (this.samples.length < FAILURE_SAMPLES_MAX) this.samples.push(what.slice(0, 300));
  }
}

function meets(expect: AutocannonJob['expect'], status: number, body: string): boolean {
  return status === expect.status && expect.includes.every((s) => body.includes(s));
}

async function runAutocannon(job: AutocannonJob): Promise<Measurement> {
  const failures = new FailureLog();
  let ok = 0;
  let nextCustomer = 0;
  const latencies: number[] = [];
  const urls = [job.url, ...(job.otherUrls ?? [])];
  const results = await Promise.all(urls.map((url, i) => autocannon({
    url,
    connections: Math.max(1, Math.floor((job.connections + i) / urls.length)),
    duration: job.durationS,
    timeout: 30,
    // autocannon's own histogram keeps whole milliseconds; its clients report the exact time per response.
    setupClient: (client) => {
      client.on('response', (_status: number, _bytes: number, responseTimeMs: number) => latencies.push(responseTimeMs));
    },
    requests: [{
      method: job.method,
      path: job.path,
      headers: job.headers,
      ...(job.bodies.length > 0 && {
        setupRequest: (request, context) => {
          // Each connection keeps one customer for the whole run.
          context.customer ??= nextCustomer++ % job.bodies.length;
          return { ...request, body: withCounter(job.bodies[context.customer as number]!) };
        },
      }),
      onResponse: (status, body) => {
        if (meets(job.expect, status, body)) ok++;
        else failures.add(`HTTP ${status}: ${body}`);
      },
    }],
  })));
  const transportFailures = results.reduce((n, r) => n + r.errors + r.timeouts, 0);
  for (let i = 0; i < transportFailures; i++) failures.add('connection error or timeout');
  return measurement(ok, failures, Math.max(...results.map((r) => r.duration)), latencies);
}

async function runPaced(job: PacedJob): Promise<Measurement> {
  const failures = new FailureLog();
  const latencies: number[] = [];
  const intervalMs = 1000 / job.ratePerS;
  const count = Math.floor(job.durationS * job.ratePerS);
  const started = performance.now();
  const sent: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent.push(fetch(`${job.url}${job.path}`, {
      method: job.method, headers: job.headers, ...(job.bodies.length > 0 && { body: withCounter(job.bodies[i % job.bodies.length]!) }),
    }).then(async (res) => {
      const body = await res.text();
      if (meets(job.expect, res.status, body)) latencies.push(performance.now() - due);
      else failures.add(`HTTP ${res.status}: ${body}`);
    }, (error: unknown) => failures.add(`fetch: ${error instanceof Error ? error.message : String(error)}`)));
  }
  await Promise.all(sent);
  return measurement(latencies.length, failures, job.durationS, latencies);
}

function measurement(ok: number, failures: FailureLog, durationS: number, latencies: number[]): Measurement {
  latencies.sort((a, b) => a - b);
  return {
    ok,
    failures: failures.count,
    failureSamples: failures.samples,
    durationS,
    reqPerSec: ok / durationS,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** One connection per customer: create a PIN payment, then authorise it; the pair's time is the latency. */
async function runPinPairs(job: PinPairJob): Promise<Measurement> {
  const failures = new FailureLog();
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + job.durationS * 1000;
  const loop = async (customer: number) => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await pinPair(job, job.bodies[customer % job.bodies.length]!);
        latencies.push(performance.now() - t0);
      } catch (error) {
        failures.add(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: job.connections }, (_, i) => loop(i)));
  return measurement(latencies.length, failures, (performance.now() - started) / 1000, latencies);
}

async function pinPair(job: PinPairJob, bodyTemplate: string): Promise<void> {
  const created = await fetch(`${job.url}/ovo/payment`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: withCounter(bodyTemplate),
  });
  const text = await created.text();
  let reply: Record<string, unknown> = {};
  try {
    reply = JSON.parse(text) as Record<string, unknown>;
  } catch { /* reported below */ }
  if (created.status !== 200 || reply.response_code !== '00' || reply.status !== 'PENDING' || typeof reply.redirectURL !== 'string') {
    throw new Error(`payment: HTTP ${created.status}: ${text}`);
  }
  if (job.mode === 'in-process') {
    await authoriseInGateway(String(reply.trx_id), job.pin);
    return;
  }
  await authoriseOnPage(reply.redirectURL, job.pin);
}

function authoriseInGateway(trxId: string, pin: string): Promise<void> {
  const id = ++authorisationId;
  return new Promise((resolve, reject) => {
    pendingAuthorisations.set(id, { resolve, reject });
    send({ type: 'authorise', id, trxId, pin });
  });
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
