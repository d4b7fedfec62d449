// Proves at compile time (root `tsc --noEmit`) that results must be narrowed on `outcome` before use, that
// 02 is part of exactly the operations whose reply carries `url`, and that arguments are typed from the
// catalogue (bigint money, pay types by name). Every `@ts-expect-error` line is a call that must NOT compile.
import {
  OvoTokenizeClient, type ActivationCallback, type BalanceResult, type HistoryTransaction, type Ok, type PayArgs,
  type PayResult, type PaymentNotification, type RelinkingOperation, type Result, type TopupInstructionsResult,
} from '../src/index.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

export async function narrowing(client: OvoTokenizeClient): Promise<string> {
  const balance = await client.balance({ phone: '081234567890' });
  // @ts-expect-error cash exists only on the `ok` outcome
  balance.cash;
  // @ts-expect-error so does relinkUrl on `relinkRequired`
  balance.relinkUrl;

  switch (balance.outcome) {
    case 'ok': {
      const cash: bigint = balance.cash;
      const points: bigint = balance.points;
      // @ts-expect-error money is bigint, never number
      const asNumber: number = balance.cash;
      return `${cash + points} ${asNumber}`;
    }
    case 'relinkRequired':
      return balance.relinkUrl;
    case 'failed':
      return `${balance.code} ${balance.description}`;
    default: {
      const unreachable: never = balance;
      return unreachable;
    }
  }
}

export function exhaustiveWithoutRelinkIsAnError(result: PayResult): string {
  switch (result.outcome) {
    case 'ok':
      return result.trxId;
    case 'failed':
      return result.code;
    default: {
      // @ts-expect-error forgetting `relinkRequired` on a payment leaves it here, which is not `never`
      const unreachable: never = result;
      return String(unreachable);
    }
  }
}

export function topupHasNoRelink(result: TopupInstructionsResult): void {
  // @ts-expect-error top-up instructions never answer 02, so the outcome does not exist for them
  if (result.outcome === 'relinkRequired') return;
  if (result.outcome === 'ok') for (const i of result.instructions) i.option.toUpperCase();
}

assertType<Equal<RelinkingOperation, 'payment' | 'balance' | 'history'>>();
assertType<Equal<BalanceResult, Result<'balance'>>>();
assertType<Equal<keyof Ok<'balance'>, 'outcome' | 'requestId' | 'phone' | 'cash' | 'points'>>();
assertType<Equal<keyof Ok<'payment'>, 'outcome' | 'requestId' | 'redirectUrl' | 'status' | 'trxId' | 'billNo' | 'amount' | 'paymentDay'>>();
assertType<Equal<Ok<'history'>['transactions'], readonly HistoryTransaction[]>>();
assertType<Equal<Ok<'history'>['total'], number>>();
assertType<Equal<Ok<'payment-status'>['paymentStatusCode'], '0' | '1' | '2' | '3' | '4' | '5' | '7' | '8' | '9'>>();
assertType<Equal<PaymentNotification['amount'], bigint>>();
assertType<Equal<ActivationCallback['linked'], boolean>>();
assertType<Equal<PayArgs, {
  readonly billNo: string;
  readonly description: string;
  readonly amount: bigint;
  readonly phone: string;
  readonly customerName: string;
  readonly email: string;
  readonly payType: 'cash' | 'points' | 'pointsThenCash';
}>>();

export async function argumentsAreTyped(client: OvoTokenizeClient): Promise<void> {
  const order = { billNo: 'INV-1', description: 'Kopi', phone: '081234567890', customerName: 'Andrea', email: 'a@example.com' };
  await client.pay({ ...order, amount: 25_000n, payType: 'pointsThenCash' });
  // @ts-expect-error amounts are bigint
  await client.pay({ ...order, amount: 25_000, payType: 'cash' });
  // @ts-expect-error pay types are named, not wire digits
  await client.pay({ ...order, amount: 25_000n, payType: '0' });
  // @ts-expect-error a mandatory argument is missing
  await client.activate({ phone: '081234567890' });
  // @ts-expect-error the client fills merchant_id and the signature itself
  await client.balance({ phone: '081234567890', signature: 'x' });
  await client.history({ phone: '081234567890', startDate: '2025-01-01', endDate: '2025-01-31', page: 1, limit: 10 });
  for await (const page of client.historyAll({ phone: '081234567890', startDate: '2025-01-01', endDate: '2025-01-31' })) {
    // @ts-expect-error each page must be narrowed too
    page.transactions;
    if (page.outcome === 'ok') page.transactions.map((t) => t.cash + t.points);
  }
}
