import type { Operation } from '../operation.ts';
import { activation } from './activation.ts';
import { balance } from './balance.ts';
import { topupInstruction } from './topup-instruction.ts';
import { unlink } from './unlink.ts';

/** Every operation the gateway serves; each is routed at /ovo/<name> and at its Faspay paths. */
export const OPERATIONS_BY_NAME: Readonly<Record<string, Operation<any>>> = {
  activation,
  balance,
  'topup-instruction': topupInstruction,
  unlink,
};
