import type { Operation } from '../operation.ts';
import { topupInstructionEntries } from '../../pages/topup-options.ts';

export const topupInstruction: Operation<'topup-instruction'> = {
  name: 'topup-instruction',
  async handle(ctx) {
    const entries = topupInstructionEntries(ctx.config.publicUrl);
    return { topup_instruction: Object.fromEntries(entries.map((entry, i) => [`instruction_${i + 1}`, { ...entry }])) };
  },
};
