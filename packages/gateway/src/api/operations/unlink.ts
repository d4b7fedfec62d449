import type { Operation } from '../operation.ts';
import { unlinkPhone } from '../../services/linking.ts';

export const unlink: Operation<'unlink'> = {
  name: 'unlink',
  async handle(ctx, { merchant, request }) {
    await unlinkPhone(ctx, merchant, request.phone_no);
    return {};
  },
};
