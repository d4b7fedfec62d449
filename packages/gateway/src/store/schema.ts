import type { Generated } from 'kysely';

// Every integer column is int8 on PostgreSQL and INTEGER on SQLite, and both drivers are set to return
// bigint (see database.ts), so one row type serves both. Times are milliseconds since the Unix epoch.

export interface MerchantTable {
  merchant_id: string;
  name: string;
  user_id: string;
  password: string;
  callback_url: string | null;
  return_url: string | null;
  notify_url: string | null;
  notify_format: string;
  allow_ips: string;
  hmac_secret: string | null;
  pinless_limit: bigint;
  payment_otp: bigint;
  max_amount: bigint | null;
  status: string;
  settlement_account_id: bigint;
  points_settlement_account_id: bigint | null;
  created_at: bigint;
  payment_return_url: string | null;
  amount_decimals: Generated<bigint>;
}

/**
 * Migration 010: a merchant's settlement accounts beyond its own (shard 0 is merchants.settlement_account_id
 * and points_settlement_account_id); see SETTLEMENT_SHARDS.
 */
export interface SettlementShardTable {
  merchant_id: string;
  /** 1 .. SETTLEMENT_SHARDS − 1. */
  shard: bigint;
  cash_account_id: bigint;
  points_account_id: bigint;
  created_at: bigint;
}

export interface AccountTable {
  id: Generated<bigint>;
  kind: string;
  debits_pending: bigint;
  debits_posted: bigint;
  credits_pending: bigint;
  credits_posted: bigint;
  overdraft_allowed: bigint;
  created_at: bigint;
}

export interface TransferTable {
  id: Generated<bigint>;
  debit_account_id: bigint;
  credit_account_id: bigint;
  amount: bigint;
  kind: string;
  pending_id: bigint | null;
  reference: string | null;
  created_at: bigint;
}

export interface WalletTable {
  id: Generated<bigint>;
  phone: string;
  name: string;
  pin_hash: string;
  pin_failures: bigint;
  pin_locked_until: bigint | null;
  pin_attempt_at: bigint | null;
  status: string;
  cash_account_id: bigint;
  points_account_id: bigint;
  phone_version: bigint;
  sandbox: bigint;
  created_at: bigint;
}

export interface LinkTable {
  id: Generated<bigint>;
  merchant_id: string;
  wallet_id: bigint;
  phone_version: bigint;
  status: string;
  created_at: bigint;
  expires_at: bigint;
  ended_at: bigint | null;
  ended_by: string | null;
}

export interface LinkSessionTable {
  id: string;
  merchant_id: string;
  phone: string;
  cust_name: string;
  wallet_id: bigint | null;
  /** open | linked | failed (migration 009; the steps are the challenge's). */
  state: string;
  result_code: string | null;
  result_desc: string | null;
  expires_at: bigint;
  created_at: bigint;
  finished_at: bigint | null;
}

export interface SmsMessageTable {
  id: Generated<bigint>;
  phone: string;
  text: string;
  created_at: bigint;
}

export interface OutboxTable {
  id: Generated<bigint>;
  notification_id: string;
  kind: string;
  merchant_id: string;
  method: string;
  url: string;
  content_type: string | null;
  body: string | null;
  /** Migration 008: the X-Request-Id of the request that queued the row. */
  request_id: string | null;
  status: string;
  attempts: bigint;
  next_attempt_at: bigint;
  give_up_at: bigint;
  leased_until: bigint | null;
  last_error: string | null;
  last_http_status: bigint | null;
  created_at: bigint;
  delivered_at: bigint | null;
  /** Migration 011: the bill a payment notification is about; null for activation callbacks. */
  bill_no: string | null;
}

/** Migration 011: one HTTP attempt of an outbox row, as sent and as answered (the delivery inspector). */
export interface DeliveryAttemptTable {
  id: Generated<bigint>;
  outbox_id: bigint;
  /** 1, 2, … over the delivery's whole life (a resend does not start again at 1). */
  number: bigint;
  started_at: bigint;
  /** JSON object of the header lines as sent; null when the attempt failed before sending. */
  request_headers: string | null;
  http_status: bigint | null;
  /** The response body's first DELIVERY_ATTEMPT_BODY_BYTES bytes. */
  response_body: string | null;
  latency_ms: bigint;
  error: string | null;
}

export interface PaymentTable {
  trx_id: string;
  merchant_id: string;
  bill_no: string;
  fingerprint: string;
  wallet_id: bigint;
  phone: string;
  cust_name: string;
  email: string;
  bill_desc: string;
  amount: bigint;
  pay_type: string;
  cash_amount: bigint;
  points_amount: bigint;
  cash_transfer_id: bigint | null;
  points_transfer_id: bigint | null;
  status: string;
  payment_reff: string;
  failure_reason: string | null;
  cancel_reason: string | null;
  created_at: bigint;
  expires_at: bigint;
  finished_at: bigint | null;
}

/**
 * How many payments each customer made with each merchant per Jakarta day (`YYYY-MM-DD` of created_at, UTC+7):
 * history's `total` sums these instead of counting payments. Incremented in the transaction that inserts the
 * payment (store/payments.ts insertPayment); payments are never deleted.
 */
export interface PaymentDayCountTable {
  merchant_id: string;
  wallet_id: bigint;
  day: string;
  count: bigint;
}

export interface WalletSessionTable {
  /** SHA-256 (base64url) of the cookie token. */
  id: string;
  phone: string;
  wallet_id: bigint | null;
  /** signing_in | active | ended (migration 009; the sign-in steps are the challenge's). */
  state: string;
  new_phone: string | null;
  flash: string | null;
  flash_kind: string | null;
  end_reason: string | null;
  created_at: bigint;
  idle_expires_at: bigint;
  expires_at: bigint;
  ended_at: bigint | null;
}

/** Migration 009: the code-and-PIN step of every hosted page (domain/challenge.ts). */
export interface ChallengeTable {
  id: string;
  purpose: string;
  subject: string;
  step: string;
  browser_key_hash: string | null;
  csrf_token: string;
  otp_hash: string | null;
  otp_expires_at: bigint | null;
  otp_attempts: bigint;
  otp_sends: bigint;
  otp_sent_at: bigint | null;
  expires_at: bigint;
  created_at: bigint;
}

/** Migration 012: sandbox scenarios (services/sandbox-scenarios.ts); `parameters` is JSON. */
export interface SandboxScenarioTable {
  id: Generated<bigint>;
  type: string;
  parameters: string;
  phone: string | null;
  operation: string | null;
  merchant_id: string | null;
  /** How many more payments or calls an armed scenario changes; null for an immediate one. */
  remaining: bigint | null;
  /** applied | armed | used | disarmed */
  state: string;
  created_at: bigint;
  ended_at: bigint | null;
}

export interface Schema {
  challenges: ChallengeTable;
  payments: PaymentTable;
  payment_day_counts: PaymentDayCountTable;
  merchants: MerchantTable;
  accounts: AccountTable;
  settlement_shards: SettlementShardTable;
  transfers: TransferTable;
  wallets: WalletTable;
  links: LinkTable;
  link_sessions: LinkSessionTable;
  sms_messages: SmsMessageTable;
  outbox: OutboxTable;
  delivery_attempts: DeliveryAttemptTable;
  wallet_sessions: WalletSessionTable;
  sandbox_scenarios: SandboxScenarioTable;
}
