import type { Operation } from '../operation.ts';
import { activation } from './activation.ts';
import { balance } from './balance.ts';
import { cancel } from './cancel.ts';
import { history } from './history.ts';
import { payment } from './payment.ts';
import { paymentStatus } from './payment-status.ts';
import { topupInstruction } from './topup-instruction.ts';
import { unlink } from './unlink.ts';

/** Every operation the gateway serves; each is routed at /ovo/<name> and at its Faspay paths. */
export const OPERATIONS_BY_NAME: Readonly<Record<string, Operation<any>>> = {
  activation,
  payment,
  'topup-instruction': topupInstruction,
  balance,
  history,
  unlink,
  'payment-status': paymentStatus,
  cancel,
};
