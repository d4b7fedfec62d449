// A notification endpoint as one function from a Web Request to a Web Response: Hono, Next.js, Bun, Deno
// and Cloudflare use those types natively; Express and Fastify wrap it in three lines (see the README).
import { OvoFormatError, OvoSignatureVerificationError } from '../errors.ts';
import type { PaymentNotification } from '../types.ts';
import { notificationAck, verifyNotification, type ParseNotificationOptions } from './notification.ts';

export interface NotificationContext {
  /**
   * The gateway's X-Notification-Id: the same on every retry of one delivery. Delivery is at least once,
   * so use it (or trxId + paymentStatusCode) to make handling idempotent.
   */
  readonly notificationId: string | undefined;
  readonly request: Request;
}

export interface NotificationHandlerOptions extends ParseNotificationOptions {
  readonly userId: string;
  readonly password: string;
  readonly hmacSecret?: string;
  readonly toleranceS?: number;
  /** Largest body accepted, in bytes. Default 64 KiB (a notification is under 1 KiB). */
  readonly maxBodyBytes?: number;
  /**
   * Called once per verified notification, before the acknowledgement. If it throws, the error propagates
   * (the framework answers 500), no acknowledgement is sent, and the gateway delivers it again later.
   */
  readonly onNotification: (notification: PaymentNotification, context: NotificationContext) => void | Promise<void>;
  /** Called with each refused request (bad signature, unreadable body), e.g. to log it. */
  readonly onRejected?: (error: Error, request: Request) => void;
  readonly now?: () => Date;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

function plain(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...extra } });
}

/**
 * `(request) => Promise<Response>`: verifies the notification from its raw bytes, calls `onNotification`,
 * and answers the acknowledgement (200, response code 00). Answers 401 to a bad signature and 400 to an
 * unreadable body without calling `onNotification`; 405 to anything but POST, 413 to an oversized body.
 */
export function createNotificationHandler(options: NotificationHandlerOptions): (request: Request) => Promise<Response> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (request) => {
    if (request.method !== 'POST') return plain(405, 'method not allowed', { allow: 'POST' });
    const declared = Number(request.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBodyBytes) return plain(413, 'body too large');
    const rawBody = new Uint8Array(await request.arrayBuffer());
    if (rawBody.byteLength > maxBodyBytes) return plain(413, 'body too large');

    let notification: PaymentNotification;
    try {
      notification = verifyNotification({
        rawBody,
        contentType: request.headers.get('content-type'),
        headers: request.headers,
        userId: options.userId,
        password: options.password,
        hmacSecret: options.hmacSecret,
        toleranceS: options.toleranceS,
        now: options.now?.(),
        amountDecimals: options.amountDecimals,
      });
    } catch (error) {
      if (error instanceof OvoSignatureVerificationError) {
        options.onRejected?.(error, request);
        // Which check failed stays in the log, not in the answer to a possible forger.
        return plain(401, 'signature verification failed');
      }
      if (error instanceof OvoFormatError) {
        options.onRejected?.(error, request);
        return plain(400, 'unreadable notification');
      }
      throw error;
    }

    await options.onNotification(notification, {
      notificationId: request.headers.get('x-notification-id') ?? undefined,
      request,
    });
    const ack = notificationAck(notification, { now: options.now?.() });
    return new Response(ack.body, { status: ack.status, headers: { 'content-type': ack.contentType } });
  };
}
