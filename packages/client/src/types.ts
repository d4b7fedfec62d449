// Every argument and result type is computed from the protocol catalogue (OPERATIONS, PAYMENT_NOTIFICATION,
// ACTIVATION_CALLBACK): add a field there and it appears here, rename one and the code using it stops
// compiling. Only the shapes of the three nested replies are spelled out, because the catalogue names
// top-level fields only.
import type {
  ACTIVATION_CALLBACK, OPERATIONS, OperationName, PAYMENT_NOTIFICATION, PaymentStatusCode, ValidRequest, WireFormat,
} from '@ovo-tokenize/protocol';
import type {
  AMOUNT_FIELDS, COUNT_FIELDS, ClientFilled, ECHOED, ENVELOPE, STATUS_CODE_FIELDS, TsName,
} from './names.ts';

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** How the customer pays (wire `pay_type` 0, 1, 2): all cash, all points, or points first and the rest in cash. */
export type PayType = 'cash' | 'points' | 'pointsThenCash';

export const PAY_TYPE_WIRE = { cash: '0', points: '1', pointsThenCash: '2' } as const satisfies Record<PayType, ValidRequest<'payment'>['pay_type']>;

type ArgValue<W, V> = W extends 'pay_type' ? PayType : V;

/** The arguments of an operation: its catalogue request fields minus those the client fills, camelCased. */
export type Args<Op extends OperationName> = Simplify<{
  readonly [W in keyof ValidRequest<Op> as W extends ClientFilled ? never : TsName<W & string>]: ArgValue<W, ValidRequest<Op>[W]>;
}>;

export type ReplyFieldName<Op extends OperationName> = (typeof OPERATIONS)[Op]['reply'][number];

/** The codes the gateway uses to refuse something the customer can be told about (not a bug in the call). */
export const FAILURE_CODES = ['01', '18', '63', '81'] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

export type WireValue<W extends string> = W extends (typeof AMOUNT_FIELDS)[number]
  ? bigint
  : W extends (typeof COUNT_FIELDS)[number]
    ? number
    : W extends (typeof STATUS_CODE_FIELDS)[number]
      ? PaymentStatusCode
      : string;

/** One way to top up an OVO balance (`topup_instruction/instruction_N`). */
export interface TopupInstruction {
  readonly option: string;
  /** URL of the option's icon. */
  readonly icon: string;
  /** URL of the page with the instructions. */
  readonly url: string;
}

/** One row of `list_transaction/transaction_N`; `cash + points` is what the customer paid. */
export interface HistoryTransaction {
  readonly trxId: string;
  readonly paymentDate: string;
  readonly status: string;
  readonly amount: bigint;
  readonly cash: bigint;
  readonly points: bigint;
}

/** What each nested reply field becomes in a result, keyed by the wire field. */
export interface NestedResults {
  readonly detail: { readonly cash: bigint; readonly points: bigint };
  readonly topup_instruction: { readonly instructions: readonly TopupInstruction[] };
  readonly list_transaction: { readonly transactions: readonly HistoryTransaction[] };
}

type NestedName<Op extends OperationName> = Extract<ReplyFieldName<Op>, keyof NestedResults>;
type NestedOf<Op extends OperationName> = [NestedName<Op>] extends [never] ? unknown : NestedResults[NestedName<Op>];

type PayloadName<Op extends OperationName> = Exclude<
  ReplyFieldName<Op>,
  (typeof ENVELOPE)[number] | (typeof ECHOED)[number] | keyof NestedResults
>;

/** `00`: the operation did what was asked. */
export type Ok<Op extends OperationName> = Simplify<
  { readonly outcome: 'ok'; readonly requestId: string } &
  { readonly [W in PayloadName<Op> as TsName<W>]: WireValue<W> } &
  NestedOf<Op>
>;

/** `01` and the other refusals a customer can be shown (`18` no OVO account, `63` suspended or PIN locked, `81` already paid). */
export interface Failed {
  readonly outcome: 'failed';
  readonly code: FailureCode;
  readonly description: string;
  readonly requestId: string;
}

/** `02`: the link (payment token) is gone; send the customer's browser to `relinkUrl` to link again. */
export interface RelinkRequired {
  readonly outcome: 'relinkRequired';
  readonly relinkUrl: string;
  readonly description: string;
  readonly requestId: string;
}

/** Operations whose reply can carry `url`, i.e. answer `02`. */
export type RelinkingOperation = { [Op in OperationName]: 'url' extends ReplyFieldName<Op> ? Op : never }[OperationName];

export type Result<Op extends OperationName> = Ok<Op> | Failed | (Op extends RelinkingOperation ? RelinkRequired : never);

export type ActivateArgs = Args<'activation'>;
export type PayArgs = Args<'payment'>;
export type TopupInstructionsArgs = Args<'topup-instruction'>;
export type BalanceArgs = Args<'balance'>;
export type HistoryArgs = Args<'history'>;
export type UnlinkArgs = Args<'unlink'>;
export type PaymentStatusArgs = Args<'payment-status'>;
export type CancelArgs = Args<'cancel'>;

export type ActivateResult = Result<'activation'>;
export type PayResult = Result<'payment'>;
export type TopupInstructionsResult = Result<'topup-instruction'>;
export type BalanceResult = Result<'balance'>;
export type HistoryResult = Result<'history'>;
export type UnlinkResult = Result<'unlink'>;
export type PaymentStatusResult = Result<'payment-status'>;
export type CancelResult = Result<'cancel'>;

/** `historyAll`: the history arguments without `page`; `limit` (rows per request) defaults to 100. */
export type HistoryAllArgs = Simplify<Omit<HistoryArgs, 'page' | 'limit'> & { readonly limit?: number }>;

type NotificationFieldName = (typeof PAYMENT_NOTIFICATION.fields)[number];

/** A payment notification (spec §4.5), camelCased; `amount` is `bill_total`. */
export type PaymentNotification = Simplify<
  { readonly [W in NotificationFieldName as TsName<W>]: WireValue<W> } &
  {
    /** The format it arrived in; the acknowledgement goes back in the same one. */
    readonly format: WireFormat;
    /** The wire fields exactly as received. */
    readonly fields: Readonly<Record<NotificationFieldName, string>>;
  }
>;

type CallbackFieldName = (typeof ACTIVATION_CALLBACK.fields)[number];

/** The activation callback's query parameters (spec §4.2), camelCased; `linked` is `response_code === '00'`. */
export type ActivationCallback = Simplify<
  { readonly [W in CallbackFieldName as TsName<W>]: string } & { readonly linked: boolean }
>;
