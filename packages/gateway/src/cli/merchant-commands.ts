import { InvalidArgumentError, type Command } from 'commander';
import type { AmountDecimals, Merchant } from '../domain/merchant.ts';
import { findMerchant, insertMerchant, listMerchants, updateMerchant, type MerchantChanges } from '../store/merchants.ts';
import { inTransaction } from '../store/transaction.ts';
import { withDatabase } from './database-option.ts';
import { amountDecimals, collectIp, httpUrl, merchantId, printTable, rupiah, wireFormat } from './parse.ts';

interface MerchantFlags {
  name?: string; userId?: string; password?: string; callbackUrl?: string; returnUrl?: string; paymentReturnUrl?: string;
  notifyUrl?: string; amountDecimals?: AmountDecimals;
  notifyFormat?: 'json' | 'xml'; allowIp?: string[]; hmacSecret?: string; pinlessLimit?: bigint; paymentOtp?: boolean;
  /** false from `--no-max-amount` (update): remove the limit. */
  maxAmount?: bigint | false; db?: string;
}

function merchantSettings(command: Command, required: boolean): Command {
  const option = (flags: string, text: string, parse?: (v: string, prev?: never) => unknown) =>
    parse ? command.option(flags, text, parse as never) : command.option(flags, text);
  if (required) {
    command.requiredOption('--name <name>', 'shown to customers on the hosted pages')
      .requiredOption('--user-id <user_id>', 'API user id (Faspay convention: bot<merchant_id>)')
      .requiredOption('--password <password>', 'API password, part of every signature');
  } else {
    option('--name <name>', 'shown to customers on the hosted pages');
    option('--user-id <user_id>', 'API user id');
    option('--password <password>', 'API password');
  }
  option('--callback-url <url>', 'receives the activation callback (GET)', httpUrl);
  option('--return-url <url>', "where the customer's browser goes after activation", httpUrl);
  option('--payment-return-url <url>', "where the customer's browser goes after a payment (default: --return-url)", httpUrl);
  option('--amount-decimals <n>', 'implied decimals of amounts on the wire: 0 (default) or 2 (1000000 = Rp 10.000)', amountDecimals);
  option('--notify-url <url>', 'receives payment notifications (POST)', httpUrl);
  option('--notify-format <format>', 'json or xml (default json)', wireFormat);
  option('--allow-ip <ip>', 'accept API calls only from this address (repeatable)', collectIp);
  option('--hmac-secret <secret>', 'require and send X-Signature HMAC headers');
  option('--pinless-limit <rupiah>', 'payments up to this amount need no PIN (default 0)', rupiah);
  command.option('--payment-otp', 'ask for an SMS code before the PIN on payments');
  option('--max-amount <rupiah>', 'largest accepted payment (at least 1)', positiveRupiah);
  if (!required) {
    // Without these an update could switch the OTP step on and set a limit, but never undo either.
    command.option('--no-payment-otp', 'stop asking for an SMS code on payments');
    command.option('--no-max-amount', 'accept payments of any amount again');
  }
  return command.option('--db <url>', 'database: sqlite:<path>, a path, or postgres://… (env OVO_DB)');
}

function changesFrom(flags: MerchantFlags): MerchantChanges {
  return {
    name: flags.name, userId: flags.userId, password: flags.password, callbackUrl: flags.callbackUrl,
    returnUrl: flags.returnUrl, paymentReturnUrl: flags.paymentReturnUrl, amountDecimals: flags.amountDecimals,
    notifyUrl: flags.notifyUrl, notifyFormat: flags.notifyFormat, allowIps: flags.allowIp,
    hmacSecret: flags.hmacSecret, pinlessLimit: flags.pinlessLimit, paymentOtp: flags.paymentOtp,
    maxAmount: flags.maxAmount === false ? null : flags.maxAmount,
  };
}

/** A limit of 0 would refuse every payment (13) while looking like "no limit": not accepted. */
function positiveRupiah(value: string): bigint {
  const amount = rupiah(value);
  if (amount < 1n) throw new InvalidArgumentError('must be at least 1 (use --no-max-amount for no limit)');
  return amount;
}

export function registerMerchantCommands(program: Command): void {
  const merchant = program.command('merchant').description('provision and inspect merchants');

  merchantSettings(merchant.command('add').description('register a merchant').requiredOption('--id <merchant_id>', 'numeric merchant id', merchantId), true)
    .action(async (flags: MerchantFlags & { id: string }) => {
      await withDatabase(flags.db, async (database) => {
        if (await findMerchant(database.db, flags.id)) throw new Error(`merchant ${flags.id} already exists (use "merchant update")`);
        const created = await inTransaction(database, (tx) => insertMerchant(tx, {
          merchantId: flags.id, name: flags.name!, userId: flags.userId!, password: flags.password!, ...withoutUndefined(changesFrom(flags)),
        }, Date.now()));
        console.log(`merchant ${created.merchantId} added (${created.name})`);
        printMerchant(created);
      });
    });

  merchantSettings(merchant.command('update').description("change a merchant's settings").argument('<merchant_id>', 'numeric merchant id', merchantId), false)
    .option('--suspend', 'refuse its API calls (63)')
    .option('--activate', 'accept its API calls again')
    .action(async (id: string, flags: MerchantFlags & { suspend?: boolean; activate?: boolean }) => {
      await withDatabase(flags.db, async (database) => {
        const status = flags.suspend ? 'suspended' : flags.activate ? 'active' : undefined;
        const updated = await updateMerchant(database.db, id, withoutUndefined({ ...changesFrom(flags), status }));
        if (!updated) throw new Error(`merchant ${id} does not exist`);
        console.log(`merchant ${id} updated`);
        printMerchant(updated);
      });
    });

  merchant.command('list').description('list merchants').option('--db <url>', 'database URL (env OVO_DB)')
    .action(async (flags: { db?: string }) => {
      await withDatabase(flags.db, async (database) => {
        printTable((await listMerchants(database.db)).map((m) => ({
          merchant_id: m.merchantId, name: m.name, user_id: m.userId, status: m.status,
          notify: m.notifyUrl ? `${m.notifyFormat} ${m.notifyUrl}` : '-', callback: m.callbackUrl ?? '-',
          pinless_limit: String(m.pinlessLimit), payment_otp: m.paymentOtp ? 'yes' : 'no',
          max_amount: m.maxAmount === null ? 'none' : String(m.maxAmount), allow_ips: m.allowIps.join(',') || 'any',
        })));
      });
    });
}

function printMerchant(m: Merchant): void {
  printTable([
    { setting: 'merchant_id', value: m.merchantId }, { setting: 'name', value: m.name }, { setting: 'user_id', value: m.userId },
    { setting: 'callback_url', value: m.callbackUrl ?? '-' }, { setting: 'return_url', value: m.returnUrl ?? '-' },
    { setting: 'payment_return_url', value: m.paymentReturnUrl ?? (m.returnUrl ? `${m.returnUrl} (return_url)` : '-') },
    { setting: 'amount_decimals', value: String(m.amountDecimals) },
    { setting: 'notify_url', value: m.notifyUrl ? `${m.notifyUrl} (${m.notifyFormat})` : '-' },
    { setting: 'allow_ips', value: m.allowIps.join(', ') || 'any' }, { setting: 'hmac_secret', value: m.hmacSecret ? 'set' : 'none' },
    { setting: 'pinless_limit', value: String(m.pinlessLimit) }, { setting: 'payment_otp', value: m.paymentOtp ? 'yes' : 'no' },
    { setting: 'max_amount', value: m.maxAmount === null ? 'none' : String(m.maxAmount) }, { setting: 'status', value: m.status },
  ]);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
