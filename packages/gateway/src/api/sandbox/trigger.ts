import { isMerchantId, normalizePhone, type SandboxTriggerResult } from '@ovo-tokenize/protocol';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.ts';
import { DomainError } from '../../domain/errors.ts';
import { STATUS_CODE_OF, type PayType } from '../../domain/payment.ts';
import { TRIGGER_EVENTS, TriggerRefused, isTriggerEvent, triggerEvent } from '../../services/sandbox-trigger.ts';
import { findMerchant } from '../../store/merchants.ts';
import { jsonObjectBody, sandboxError } from './index.ts';

/** The largest amount a trigger takes (15 digits, as the CLI's rupiah flags). */
const TRIGGER_AMOUNT_MAX = 999_999_999_999_999n;

/**
 * `POST /sandbox/trigger {"event", "merchant_id", "amount"?, "pay_type"?, "phone_no"?}`: produces the event
 * through the real services (services/sandbox-trigger.ts) and answers what it made and the id of the
 * delivery that carries it.
 */
export function registerTriggerApi(app: FastifyInstance, ctx: GatewayContext): void {
  app.post('/sandbox/trigger', async (request, reply) => {
    const body = jsonObjectBody(request);
    if (!body) return sandboxError(reply, 400, 'the body must be a JSON object: {"event": "payment.success", "merchant_id": "77001"}');
    const { event, merchant_id: merchantId } = body;
    if (!isTriggerEvent(event)) return sandboxError(reply, 400, `event must be one of ${TRIGGER_EVENTS.join(', ')}`);
    const id = typeof merchantId === 'number' ? String(merchantId) : merchantId;
    if (!isMerchantId(id)) return sandboxError(reply, 400, 'merchant_id must be a merchant id (digits)');
    const amount = body.amount === undefined ? undefined : wholeRupiah(body.amount);
    if (amount === null) return sandboxError(reply, 400, `amount must be a whole number of rupiah from 1 to ${TRIGGER_AMOUNT_MAX}`);
    const payType = body.pay_type === undefined ? undefined : payTypeOf(body.pay_type);
    if (payType === null) return sandboxError(reply, 400, 'pay_type must be 0 (cash), 1 (points) or 2 (points first, then cash)');
    const phone = body.phone_no === undefined ? undefined : typeof body.phone_no === 'string' ? normalizePhone(body.phone_no) : null;
    if (phone === null) return sandboxError(reply, 400, 'phone_no must be an Indonesian mobile number (08…)');
    const merchant = await findMerchant(ctx.database.db, id);
    if (!merchant) return sandboxError(reply, 404, `no merchant ${id}`);

    try {
      const result = await triggerEvent(ctx, { event, merchant, amount, payType, phone });
      const payment = result.payment;
      const answer: SandboxTriggerResult = {
        event: result.event,
        merchant_id: merchant.merchantId,
        phone_no: result.phone,
        linked: result.linked,
        ...(result.callbackNotificationId ? { callback_notification_id: result.callbackNotificationId } : {}),
        ...(payment ? {
          trx_id: payment.trxId, bill_no: payment.billNo, status: payment.status, payment_status_code: STATUS_CODE_OF[payment.status],
          amount: Number(payment.amount), cash_amount: Number(payment.cashAmount), points_amount: Number(payment.pointsAmount),
        } : {}),
        ...(result.notificationId ? { notification_id: result.notificationId } : {}),
      };
      return reply.header('cache-control', 'no-store').send(answer);
    } catch (error) {
      if (error instanceof TriggerRefused || error instanceof DomainError) return sandboxError(reply, 409, error.message);
      throw error;
    }
  });
}

function wholeRupiah(value: unknown): bigint | null {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^[0-9]{1,15}$/.test(text)) return null;
  const amount = BigInt(text);
  return amount >= 1n && amount <= TRIGGER_AMOUNT_MAX ? amount : null;
}

function payTypeOf(value: unknown): PayType | null {
  const text = typeof value === 'number' ? String(value) : value;
  return text === '0' || text === '1' || text === '2' ? text : null;
}
