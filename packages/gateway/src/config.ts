// Every limit of the gateway, named with its unit last, in one place. Environment variables and CLI flags
// override the defaults; see the README's configuration table.

export interface GatewayConfig {
  host: string;
  port: number;
  databaseUrl: string;
  /** The gateway's own address as customers' browsers reach it; used in redirectURL and icon links. */
  publicUrl: string;
  sandbox: boolean;
  /** Server-side secret mixed into every PIN and OTP hash; kept out of the database. */
  pinPepper: string;
  trustProxy: boolean;
  logLevel: string;
  body_bytes_max: number;
  xml_depth_max: number;
  link_session_ttl_s: number;
  otp_ttl_s: number;
  otp_attempts_max: number;
  otp_sends_max: number;
  otp_resend_interval_s: number;
  pin_attempts_max: number;
  pin_lock_s: number;
  /** How long a merchant-wallet link (the payment token) stays valid. */
  link_ttl_s: number;
  /** An unauthorised payment expires (and its hold is released) after this long. */
  payment_ttl_s: number;
  delivery_horizon_s: number;
  delivery_attempt_timeout_ms: number;
  /** Merchant API calls each merchant (or, before the merchant is known, each client IP) may make per second, sustained; 0 disables. */
  api_rate_per_s: number;
  /** Merchant API calls allowed at once after a quiet spell; 0 disables. */
  api_burst: number;
  /** Hosted-page form posts (and sandbox inbox reads) per client IP per second, sustained; 0 disables. */
  page_post_rate_per_s: number;
  /** Hosted-page form posts allowed at once per client IP; 0 disables. */
  page_post_burst: number;
  /** A request (headers and body) must have arrived this long after it began, else 408 and the connection is closed. */
  request_timeout_ms: number;
  /** The request headers must have arrived this long after the request began (≤ request_timeout_ms). */
  headers_timeout_ms: number;
  /** An idle keep-alive connection is closed after this long. */
  keep_alive_timeout_ms: number;
  /** How often the server looks for requests past request_timeout_ms or headers_timeout_ms. */
  timeout_check_interval_ms: number;
  /** Open connections per client IP (the TCP peer); beyond it a new connection is closed at once; 0 disables. */
  connections_per_ip_max: number;
  /** State changes (payments, settlements, links) committed together at most (store/group-commit.ts); 1 commits each alone. */
  group_commit_batch_max: number;
  /** Where GET /metrics is served: `on` (the main port), a port of its own on `host`, or `off`. */
  metrics: MetricsSetting;
  /** GET /ready answers 503 when the database has not answered within this long. */
  ready_check_timeout_ms: number;
  /** On shutdown, GET /ready answers 503 for this long before the gateway stops taking requests. */
  shutdown_drain_ms: number;
  /** Extra Faspay-style paths mapped to operations, e.g. {"/cvr/100011/10": "payment"}. */
  extraPaths: Record<string, string>;
}

export const DEVELOPMENT_PIN_PEPPER = 'ovo-tokenize-development-pepper';

export const DEFAULT_CONFIG: GatewayConfig = {
  host: '127.0.0.1',
  port: 8080,
  databaseUrl: 'sqlite:./data/ovo.sqlite',
  publicUrl: '',
  sandbox: true,
  pinPepper: DEVELOPMENT_PIN_PEPPER,
  trustProxy: false,
  logLevel: 'info',
  body_bytes_max: 64 * 1024,
  xml_depth_max: 8,
  link_session_ttl_s: 10 * 60,
  otp_ttl_s: 10 * 60,
  otp_attempts_max: 5,
  otp_sends_max: 3,
  otp_resend_interval_s: 30,
  pin_attempts_max: 5,
  pin_lock_s: 30 * 60,
  link_ttl_s: 365 * 24 * 60 * 60,
  payment_ttl_s: 15 * 60,
  delivery_horizon_s: 3 * 24 * 60 * 60,
  delivery_attempt_timeout_ms: 10_000,
  api_rate_per_s: 200,
  api_burst: 1000,
  page_post_rate_per_s: 20,
  page_post_burst: 100,
  request_timeout_ms: 30_000,
  headers_timeout_ms: 10_000,
  keep_alive_timeout_ms: 5_000,
  // Node's own default is 30 s, which would let a 10 s headers timeout run to 40 s.
  timeout_check_interval_ms: 1_000,
  connections_per_ip_max: 64,
  group_commit_batch_max: 64,
  // The sandbox default; resolveConfig turns it off outside sandbox mode unless it was asked for.
  metrics: 'on',
  ready_check_timeout_ms: 2_000,
  shutdown_drain_ms: 0,
  extraPaths: {},
};

/** `on`: GET /metrics on the main port; a number: on a listener of its own at that port; `off`: not served. */
export type MetricsSetting = 'off' | 'on' | number;

/** Reads OVO_* environment variables over the defaults. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<GatewayConfig> {
  const out: Partial<GatewayConfig> = {};
  if (env.OVO_HOST) out.host = env.OVO_HOST;
  if (env.OVO_PORT) out.port = parsePort(env.OVO_PORT);
  if (env.OVO_DB) out.databaseUrl = env.OVO_DB;
  if (env.OVO_PUBLIC_URL) out.publicUrl = env.OVO_PUBLIC_URL;
  if (env.OVO_SANDBOX) out.sandbox = env.OVO_SANDBOX !== '0' && env.OVO_SANDBOX !== 'false';
  if (env.OVO_PIN_PEPPER) out.pinPepper = env.OVO_PIN_PEPPER;
  if (env.OVO_TRUST_PROXY) out.trustProxy = env.OVO_TRUST_PROXY === '1' || env.OVO_TRUST_PROXY === 'true';
  if (env.OVO_LOG_LEVEL) out.logLevel = env.OVO_LOG_LEVEL;
  if (env.OVO_DELIVERY_HORIZON_S) out.delivery_horizon_s = positiveInt('OVO_DELIVERY_HORIZON_S', env.OVO_DELIVERY_HORIZON_S);
  if (env.OVO_DELIVERY_ATTEMPT_TIMEOUT_MS) out.delivery_attempt_timeout_ms = positiveInt('OVO_DELIVERY_ATTEMPT_TIMEOUT_MS', env.OVO_DELIVERY_ATTEMPT_TIMEOUT_MS);
  if (env.OVO_PAYMENT_TTL_S) out.payment_ttl_s = positiveInt('OVO_PAYMENT_TTL_S', env.OVO_PAYMENT_TTL_S);
  if (env.OVO_LINK_TTL_S) out.link_ttl_s = positiveInt('OVO_LINK_TTL_S', env.OVO_LINK_TTL_S);
  if (env.OVO_API_RATE_PER_S) out.api_rate_per_s = nonNegative('OVO_API_RATE_PER_S', env.OVO_API_RATE_PER_S);
  if (env.OVO_API_BURST) out.api_burst = nonNegativeInt('OVO_API_BURST', env.OVO_API_BURST);
  if (env.OVO_PAGE_POST_RATE_PER_S) out.page_post_rate_per_s = nonNegative('OVO_PAGE_POST_RATE_PER_S', env.OVO_PAGE_POST_RATE_PER_S);
  if (env.OVO_PAGE_POST_BURST) out.page_post_burst = nonNegativeInt('OVO_PAGE_POST_BURST', env.OVO_PAGE_POST_BURST);
  if (env.OVO_REQUEST_TIMEOUT_MS) out.request_timeout_ms = positiveInt('OVO_REQUEST_TIMEOUT_MS', env.OVO_REQUEST_TIMEOUT_MS);
  if (env.OVO_HEADERS_TIMEOUT_MS) out.headers_timeout_ms = positiveInt('OVO_HEADERS_TIMEOUT_MS', env.OVO_HEADERS_TIMEOUT_MS);
  if (env.OVO_KEEP_ALIVE_TIMEOUT_MS) out.keep_alive_timeout_ms = positiveInt('OVO_KEEP_ALIVE_TIMEOUT_MS', env.OVO_KEEP_ALIVE_TIMEOUT_MS);
  if (env.OVO_CONNECTIONS_PER_IP_MAX) out.connections_per_ip_max = nonNegativeInt('OVO_CONNECTIONS_PER_IP_MAX', env.OVO_CONNECTIONS_PER_IP_MAX);
  if (env.OVO_GROUP_COMMIT_BATCH_MAX) out.group_commit_batch_max = positiveInt('OVO_GROUP_COMMIT_BATCH_MAX', env.OVO_GROUP_COMMIT_BATCH_MAX);
  if (env.OVO_METRICS) out.metrics = parseMetricsSetting(env.OVO_METRICS);
  if (env.OVO_READY_CHECK_TIMEOUT_MS) out.ready_check_timeout_ms = positiveInt('OVO_READY_CHECK_TIMEOUT_MS', env.OVO_READY_CHECK_TIMEOUT_MS);
  if (env.OVO_SHUTDOWN_DRAIN_MS) out.shutdown_drain_ms = nonNegativeInt('OVO_SHUTDOWN_DRAIN_MS', env.OVO_SHUTDOWN_DRAIN_MS);
  if (env.OVO_EXTRA_PATHS) out.extraPaths = JSON.parse(env.OVO_EXTRA_PATHS) as Record<string, string>;
  return out;
}

export function resolveConfig(...layers: Array<Partial<GatewayConfig>>): GatewayConfig {
  const config: GatewayConfig = Object.assign({}, DEFAULT_CONFIG, ...layers);
  if (!config.publicUrl) {
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    config.publicUrl = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
  }
  config.publicUrl = config.publicUrl.replace(/\/+$/, '');
  // Metrics tell business volumes: in production they are served only where the operator asks (README).
  if (!layers.some((layer) => layer.metrics !== undefined)) config.metrics = config.sandbox ? 'on' : 'off';
  // Node refuses to start a server whose headers deadline lies beyond its request deadline.
  if (config.headers_timeout_ms > config.request_timeout_ms) {
    throw new Error(`the headers timeout (${config.headers_timeout_ms} ms, OVO_HEADERS_TIMEOUT_MS) must not exceed the request timeout (${config.request_timeout_ms} ms, OVO_REQUEST_TIMEOUT_MS): the headers are part of the request`);
  }
  return config;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port must be 0–65535, got "${value}"`);
  return port;
}

/** OVO_METRICS: `off`, `on`, or the port (1–65535) of a listener of its own. */
export function parseMetricsSetting(value: string): MetricsSetting {
  const text = value.trim().toLowerCase();
  if (text === 'off' || text === 'on') return text;
  const port = Number(text);
  if (/^[0-9]+$/.test(text) && port >= 1 && port <= 65535) return port;
  throw new Error(`OVO_METRICS must be off, on or a port (1–65535), got "${value}"`);
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got "${value}"`);
  return n;
}

function nonNegative(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0 (0 disables), got "${value}"`);
  return n;
}

function nonNegativeInt(name: string, value: string): number {
  const n = nonNegative(name, value);
  if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number ≥ 0 (0 disables), got "${value}"`);
  return n;
}
