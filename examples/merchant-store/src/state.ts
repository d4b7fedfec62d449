// The shop's memory: customers, their orders and browser sessions. A real shop keeps these in its
// database; an in-memory map keeps the example about the OVO integration. Everything is lost on restart.
import { randomBytes } from 'node:crypto';
import type { PayType, PaymentStatusCode } from '@ovo-tokenize/client';
import type { Product } from './catalog.ts';

/**
 * What the shop believes about the customer's OVO link. Only a *verified* activation callback (or return
 * URL) sets `linked`; the gateway stays the judge, and any call can still answer `relinkRequired`.
 */
export type LinkState =
  | { readonly state: 'none' }
  | { readonly state: 'pending' }
  | { readonly state: 'linked'; readonly since: Date }
  | { readonly state: 'failed'; readonly reason: string }
  /** The gateway answered `02`: the link is gone; `relinkUrl` starts linking again. */
  | { readonly state: 'relinkRequired'; readonly relinkUrl: string; readonly at: Date };

/**
 * A relinkUrl opens a linking session, which expires (ten minutes on this gateway). Older than this, the
 * shop starts a fresh one with activate() instead of sending the customer to a dead link.
 */
export const RELINK_URL_FRESH_MS = 5 * 60 * 1000;

export function freshRelinkUrl(link: LinkState, now = Date.now()): string | undefined {
  return link.state === 'relinkRequired' && now - link.at.getTime() < RELINK_URL_FRESH_MS ? link.relinkUrl : undefined;
}

export interface Customer {
  readonly phone: string;
  name: string;
  email: string;
  link: LinkState;
}

export type OrderStatus =
  /** Sent to OVO; the customer is authorising. Becomes `paid` only when the notification says so. */
  | 'awaiting_payment'
  | 'paid'
  /** The gateway answered 02 before charging anything: link again, then pay the same order. */
  | 'link_required'
  /** The gateway refused the payment (e.g. not enough balance); nothing was charged. */
  | 'refused'
  | 'failed'
  | 'expired'
  | 'cancelled'
  | 'reversed';

export interface Order {
  /** Our order number, sent as `bill_no`: the gateway treats a repeat with the same content as the same order. */
  readonly billNo: string;
  readonly phone: string;
  readonly product: Product;
  readonly amount: bigint;
  readonly payType: PayType;
  readonly createdAt: Date;
  status: OrderStatus;
  /** The gateway's transaction id, once it accepted the payment. */
  trxId?: string;
  /** The hosted PIN page for this payment. */
  paymentUrl?: string;
  paidAt?: Date;
  /** Why it was refused or failed, in the gateway's words. */
  note?: string;
  /** Notification ids already handled: delivery is at least once. */
  readonly notificationIds: Set<string>;
}

export interface Flash {
  readonly kind: 'success' | 'error' | 'info';
  readonly text: string;
}

export interface Session {
  readonly id: string;
  phone?: string;
  /** Shown once on the next page. */
  flash?: Flash;
  /** Where to send the browser when it comes back from linking (the order that needed the link). */
  afterLink?: string;
}

/** Order statuses for people, and whether the order is finished. */
export const ORDER_STATUS_TEXT: Readonly<Record<OrderStatus, string>> = {
  awaiting_payment: 'Waiting for payment',
  paid: 'Paid',
  link_required: 'Link OVO to pay',
  refused: 'Refused by OVO',
  failed: 'Payment failed',
  expired: 'Expired',
  cancelled: 'Cancelled',
  reversed: 'Refunded',
};

/**
 * A notification's `payment_status_code` as an order status: 2 success, 3 failed, 4 reversal, 7 expired,
 * 8 cancelled. Anything else (0, 1, 5, 9 or a code added later) leaves the order as it is: an unknown
 * status is never taken for a payment.
 */
export function orderStatusFor(code: PaymentStatusCode): OrderStatus | undefined {
  switch (code) {
    case '2': return 'paid';
    case '3': return 'failed';
    case '4': return 'reversed';
    case '7': return 'expired';
    case '8': return 'cancelled';
    default: return undefined;
  }
}

export class ShopState {
  readonly customers = new Map<string, Customer>();
  readonly orders = new Map<string, Order>();
  readonly sessions = new Map<string, Session>();
  private orderSerial = 0;
  /** Keeps bill numbers unique across restarts of the shop against the same gateway. */
  private readonly billPrefix = `KK${Date.now().toString(36).toUpperCase()}`;

  newSession(): Session {
    const session: Session = { id: randomBytes(18).toString('base64url') };
    this.sessions.set(session.id, session);
    return session;
  }

  signIn(phone: string, name: string, email: string): Customer {
    const existing = this.customers.get(phone);
    if (existing) {
      existing.name = name;
      existing.email = email;
      return existing;
    }
    const customer: Customer = { phone, name, email, link: { state: 'none' } };
    this.customers.set(phone, customer);
    return customer;
  }

  newOrder(customer: Customer, product: Product, payType: PayType): Order {
    this.orderSerial += 1;
    const order: Order = {
      billNo: `${this.billPrefix}-${String(this.orderSerial).padStart(4, '0')}`,
      phone: customer.phone,
      product,
      amount: product.price,
      payType,
      createdAt: new Date(),
      status: 'awaiting_payment',
      notificationIds: new Set(),
    };
    this.orders.set(order.billNo, order);
    return order;
  }

  ordersOf(phone: string): Order[] {
    return [...this.orders.values()].filter((o) => o.phone === phone).reverse();
  }
}
