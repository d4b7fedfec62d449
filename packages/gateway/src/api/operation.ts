import type { OperationName, ReplyValue, ValidRequest } from '@ovo-tokenize/protocol';
import type { GatewayContext } from '../context.ts';
import type { Merchant } from '../domain/merchant.ts';

/** One merchant operation: its paths and the handler from a validated, authenticated request to reply fields. */
export interface Operation<Op extends OperationName = OperationName> {
  readonly name: Op;
  /** Faspay's published paths for it, besides the canonical /ovo/<name>. */
  readonly faspayPaths?: readonly string[];
  handle(ctx: GatewayContext, call: { merchant: Merchant; request: ValidRequest<Op> }): Promise<Record<string, ReplyValue>>;
}
