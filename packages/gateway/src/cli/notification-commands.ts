import { InvalidArgumentError, type Command } from 'commander';
import { formatJakartaDateTime } from '@ovo-tokenize/protocol';
import {
  DELIVERY_LIST_LIMIT_MAX, DELIVERY_STATUSES, getDelivery, listDeliveries, resendDelivery, type DeliveryStatus,
} from '../delivery/outbox.ts';
import { DEFAULT_CONFIG } from '../config.ts';
import { withDatabase } from './database-option.ts';
import { printTable } from './parse.ts';

export function registerNotificationCommands(program: Command): void {
  const notifications = program.command('notifications').description('inspect and resend deliveries to merchants, in the database (`deliveries tail` follows a running sandbox gateway)');

  notifications.command('list').description('list activation callbacks and payment notifications, newest first')
    .option('--status <status>', `only ${DELIVERY_STATUSES.join(', ')}`)
    .option('--limit <n>', `at most this many, 1–${DELIVERY_LIST_LIMIT_MAX} (default 50)`, listLimit)
    .option('--db <url>', 'database URL (env OVO_DB)')
    .action(async (flags: { status?: string; limit?: number; db?: string }) => {
      if (flags.status && !DELIVERY_STATUSES.includes(flags.status as DeliveryStatus)) {
        throw new Error(`--status must be one of ${DELIVERY_STATUSES.join(', ')}`);
      }
      await withDatabase(flags.db, async (database) => {
        const rows = await listDeliveries(database.db, { status: flags.status as DeliveryStatus | undefined, limit: flags.limit ?? 50 });
        printTable(rows.map((d) => ({
          id: String(d.id), notification_id: d.notificationId, kind: d.kind, merchant: d.merchantId, status: d.status,
          attempts: String(d.attempts), last_error: d.lastError ?? '-', created: formatJakartaDateTime(new Date(d.createdAt)),
        })));
      });
    });

  notifications.command('resend').description('deliver a failed (or delivered) notification again, with the same X-Notification-Id')
    .argument('<id>', 'the numeric id or the notification id')
    .option('--db <url>', 'database URL (env OVO_DB)')
    .action(async (id: string, flags: { db?: string }) => {
      await withDatabase(flags.db, async (database) => {
        const ref = /^[0-9]+$/.test(id) ? BigInt(id) : id;
        if (!(await getDelivery(database.db, ref))) throw new Error(`no delivery ${id}`);
        await resendDelivery(database.db, ref, Date.now(), DEFAULT_CONFIG.delivery_horizon_s * 1000);
        console.log(`delivery ${id} queued again; a running gateway sends it within a second`);
      });
    });
}

function listLimit(value: string): number {
  const n = /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= DELIVERY_LIST_LIMIT_MAX)) throw new InvalidArgumentError(`must be a whole number from 1 to ${DELIVERY_LIST_LIMIT_MAX}`);
  return n;
}
