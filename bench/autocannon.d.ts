// The part of autocannon 8's programmatic API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  type Context = Record<string, unknown>;

  interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Called before each request; returns the request to send. */
    setupRequest?: (request: AutocannonRequest, context: Context) => AutocannonRequest;
    /** Called with each response; `body` is the whole body as text. */
    onResponse?: (status: number, body: string, context: Context, headers: Record<string, string>) => void;
  }

  interface AutocannonOptions {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds per request before it counts as a timeout. */
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: AutocannonRequest[];
    /** Called once per connection; the client emits `response` (status, bytes, responseTimeMs as a fraction). */
    setupClient?: (client: import('node:events').EventEmitter) => void;
  }

  /**
   * Off the main thread autocannon returns its raw result (histograms encoded, not aggregated): only the
   * plain counters are used here.
   */
  interface AutocannonResult {
    /** Seconds the run actually lasted. */
    duration: number;
    totalCompletedRequests: number;
    errors: number;
    timeouts: number;
    non2xx: number;
  }

  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
  export default autocannon;
}
