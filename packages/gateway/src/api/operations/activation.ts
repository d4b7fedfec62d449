import type { Operation } from '../operation.ts';
import { startActivation } from '../../services/linking.ts';

export const activation: Operation<'activation'> = {
  name: 'activation',
  faspayPaths: ['/cvr/100037/10', '/pws/100037/183xx00010100000/', '/pws/100037/383xx00010100000'],
  async handle(ctx, { merchant, request }) {
    const redirectURL = await startActivation(ctx, merchant, request.phone_no, request.cust_name);
    return { status: 'ALLOWED', message: 'SUCCESS', redirectURL };
  },
};
