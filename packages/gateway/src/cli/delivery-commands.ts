import type { Command } from 'commander';
import type { DeliveryDetailView, DeliveryView } from '../services/delivery-inspector.ts';
import { callSandbox, gatewayUrlFrom, withGatewayOption } from './sandbox-client.ts';

/** How often `deliveries tail` asks the gateway. */
const POLL_INTERVAL_MS = 1000;
/** The newest this many deliveries are followed; a burst larger than this within one second is not all shown. */
const TAIL_WINDOW = 200;

interface TailFlags {
  merchant?: string;
  kind?: string;
  status?: string;
  billNo?: string;
  gateway?: string;
}

/** `ovo-tokenize deliveries …`: the delivery inspector (GET /sandbox/deliveries) of a running sandbox gateway. */
export function registerDeliveryCommands(program: Command): void {
  const deliveries = program.command('deliveries')
    .description('follow a running sandbox gateway\'s deliveries over HTTP (`notifications` reads a database directly)');

  withGatewayOption(deliveries.command('tail')
    .description('print each delivery and each new attempt as it happens, until Ctrl-C')
    .option('--merchant <id>', 'only this merchant\'s')
    .option('--kind <kind>', 'only activation_callback or payment_notification')
    .option('--status <status>', 'only pending, delivered or failed')
    .option('--bill-no <bill_no>', 'only this bill\'s')
    .addHelpText('after', '\nOne line per change: time, id, kind, merchant, bill_no, status, attempts, HTTP status, latency or error.\n'
      + 'The same deliveries, with every attempt, are at /sandbox/deliveries in a browser; `notifications resend` or the page sends one again.\n'))
    .action(async (flags: TailFlags) => {
      const gateway = gatewayUrlFrom(flags.gateway);
      const query = new URLSearchParams({ limit: String(TAIL_WINDOW) });
      for (const [name, value] of [['merchant_id', flags.merchant], ['kind', flags.kind], ['status', flags.status], ['bill_no', flags.billNo]] as const) {
        if (value !== undefined) query.set(name, value);
      }
      await tail(gateway, `/sandbox/deliveries?${query}`);
    });
}

async function tail(gateway: string, path: string): Promise<void> {
  let stopped = false;
  let wake: () => void = () => {};
  const stop = () => {
    stopped = true;
    wake();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  /** id → what was last printed about it. */
  let seen = new Map<number, string>();
  try {
    while (!stopped) {
      const { deliveries } = await callSandbox(gateway, 'GET', path) as { deliveries: DeliveryView[] };
      const next = new Map<number, string>();
      for (const d of [...deliveries].reverse()) {
        const state = `${d.status} ${d.attempts} ${d.last_http_status} ${d.last_error}`;
        next.set(d.id, state);
        if (seen.get(d.id) !== state) console.log(await line(gateway, d));
      }
      seen = next;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_INTERVAL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** One delivery as one line; its latest attempt (time, status, latency, error) comes from its detail. */
async function line(gateway: string, d: DeliveryView): Promise<string> {
  const { delivery } = await callSandbox(gateway, 'GET', `/sandbox/deliveries/${d.id}`) as { delivery: DeliveryDetailView };
  const last = delivery.attempts.at(-1);
  const outcome = d.attempts === 0 || last === undefined ? (last === undefined ? 'not tried yet' : 'queued again')
    : [`http=${last.response.status ?? '-'}`, `${last.response.latency_ms}ms`, ...(last.error === null ? [] : [`error=${JSON.stringify(last.error)}`])].join(' ');
  const time = d.attempts > 0 && last !== undefined ? last.started_at : d.created_at;
  return [time, `#${d.id}`, d.kind, `merchant=${d.merchant_id}`, `bill_no=${d.bill_no ?? '-'}`, d.status, `attempts=${d.attempts}`, outcome].join(' ');
}
