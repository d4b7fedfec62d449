// The payment's hosted page (the reply's redirectURL). A payment held for the PIN has a challenge, and its
// page's token is the challenge's id. A pinless payment is paid when it is created, so its page is only its
// receipt: it has no challenge row (one statement less on the hot path), and its token is derived from the
// payment itself (receiptToken), so the page finds the payment from the address alone.
import { createHmac } from 'node:crypto';
import type { GatewayContext } from '../context.ts';
import { isFinal, type Payment } from '../domain/payment.ts';
import { secretsEqual } from '../domain/secrets.ts';
import { findChallengeOf } from '../store/challenges.ts';
import { findMerchant } from '../store/merchants.ts';
import { findPayment } from '../store/payments.ts';
import type { PaymentPage } from './payment-authorization.ts';

/** The hosted page where the customer authorises a payment (the reply's redirectURL). */
export function paymentPageUrl(ctx: GatewayContext, pageToken: string): string {
  return `${ctx.config.publicUrl}/pay/${encodeURIComponent(pageToken)}`;
}

const TRX_ID_SHAPE = /^[1-9][0-9]{15}$/;
const TRX_ID_BYTES = 8;
const MAC_BYTES = 24;

/**
 * A pinless payment's page token: its trx_id (16 digits fit 8 bytes) and 24 bytes of an HMAC-SHA256 of it under
 * the server secret, 32 bytes in base64url like every other token. Unguessable without the secret; the page
 * checks it in constant time. (Changing OVO_PIN_PEPPER ends these addresses, as it ends every PIN.)
 */
export function receiptToken(ctx: GatewayContext, trxId: string): string {
  if (!TRX_ID_SHAPE.test(trxId)) throw new Error(`trx_id ${trxId} has not the shape of one`);
  const id = Buffer.alloc(TRX_ID_BYTES);
  id.writeBigUInt64BE(BigInt(trxId));
  const mac = createHmac('sha256', ctx.config.pinPepper).update('payment-receipt:').update(id).digest().subarray(0, MAC_BYTES);
  return Buffer.concat([id, mac]).toString('base64url');
}

/** The trx_id a receipt token was made for, or undefined when `token` is not one the gateway made. */
export function receiptTrxId(ctx: GatewayContext, token: string): string | undefined {
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== TRX_ID_BYTES + MAC_BYTES) return undefined;
  const trxId = bytes.readBigUInt64BE(0).toString();
  if (!TRX_ID_SHAPE.test(trxId)) return undefined;
  return secretsEqual(receiptToken(ctx, trxId), token) ? trxId : undefined;
}

/** The ended payment a receipt token shows, or undefined when the token is no receipt's. */
export async function openReceipt(ctx: GatewayContext, token: string): Promise<PaymentPage | undefined> {
  const trxId = receiptTrxId(ctx, token);
  const payment = trxId === undefined ? undefined : await findPayment(ctx.database.db, trxId);
  // Only pinless payments are given receipt tokens, and they are paid when created: never a step to show.
  if (!payment || !isFinal(payment.status)) return undefined;
  const merchant = await findMerchant(ctx.database.db, payment.merchantId);
  return merchant && { payment, merchant };
}

/**
 * The token of a payment's page, as its creation answered it (a replay answers the same): its challenge's id
 * (a PIN payment, or a pinless one made before receipts had tokens of their own), else its receipt token.
 */
export async function pageTokenOf(ctx: GatewayContext, payment: Payment): Promise<string> {
  const page = await findChallengeOf(ctx.database.db, payment.trxId, 'payment');
  if (page) return page.id;
  if (!isFinal(payment.status)) throw new Error(`payment ${payment.trxId} has no page`);
  return receiptToken(ctx, payment.trxId);
}
