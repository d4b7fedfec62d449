import type { SandboxReceiverReport, SandboxTriggerResult } from '@ovo-tokenize/protocol';
import { InvalidArgumentError, type Command } from 'commander';
import { TRIGGER_EVENTS } from '../services/sandbox-trigger.ts';
import { merchantId, phone, rupiah } from './parse.ts';
import { callSandbox, gatewayUrlFrom, withGatewayOption } from './sandbox-client.ts';

/** `sandbox trigger` and `sandbox check-receiver`: clients of POST /sandbox/trigger and /sandbox/receiver-checks. */
export function registerTriggerCommands(sandbox: Command): void {
  withGatewayOption(sandbox.command('trigger')
    .description('produce a payment or link event for real (wallet, link, payment, state machine) so the merchant\'s receiver gets the real notification or callback')
    .argument('<event>', TRIGGER_EVENTS.join(' | '))
    .requiredOption('--merchant <id>', 'the merchant whose receiver gets it', merchantId)
    .option('--amount <rupiah>', 'payment amount in whole rupiah (default 25000)', rupiah)
    .option('--pay-type <0|1|2>', '0 cash, 1 points, 2 points first then cash (default 0)', payType)
    .option('--phone <08…>', 'the customer (default: a fresh sandbox wallet)', phone))
    .action(async (event: string, flags: { merchant: string; amount?: bigint; payType?: string; phone?: string; gateway?: string }) => {
      if (!(TRIGGER_EVENTS as readonly string[]).includes(event)) throw new Error(`<event> must be one of ${TRIGGER_EVENTS.join(', ')}`);
      const result = await callSandbox(gatewayUrlFrom(flags.gateway), 'POST', '/sandbox/trigger', {
        event, merchant_id: flags.merchant, amount: flags.amount?.toString(), pay_type: flags.payType, phone_no: flags.phone,
      }) as SandboxTriggerResult;
      printTrigger(result);
    });

  withGatewayOption(sandbox.command('check-receiver')
    .description('send the merchant\'s notification and activation-callback URLs a graded sequence and print a report card; exits 1 when a check fails')
    .requiredOption('--merchant <id>', 'the merchant whose receivers are checked', merchantId))
    .action(async (flags: { merchant: string; gateway?: string }) => {
      const report = await callSandbox(gatewayUrlFrom(flags.gateway), 'POST', '/sandbox/receiver-checks', { merchant_id: flags.merchant }) as SandboxReceiverReport;
      printReport(report);
      if (!report.passed) process.exitCode = 1;
    });
}

function printTrigger(r: SandboxTriggerResult): void {
  console.log(`${r.event} for merchant ${r.merchant_id}`);
  if (!r.trx_id) {
    console.log(`  customer      ${r.phone_no}, ${r.linked ? 'linked' : 'not linked'}`);
    console.log(`  callback      ${r.callback_notification_id ?? '(none queued)'} queued; \`ovo-tokenize notifications list\` shows how its delivery went`);
    return;
  }
  const linkedFirst = r.linked ? `, linked first by this trigger (activation callback ${r.callback_notification_id ?? 'none'})` : '';
  console.log(`  customer      ${r.phone_no}${linkedFirst}`);
  console.log(`  payment       trx_id ${r.trx_id}, bill_no ${r.bill_no}, ${r.status} (status code ${r.payment_status_code})`);
  console.log(`  amount        Rp ${r.amount} = cash Rp ${r.cash_amount} + points ${r.points_amount}`);
  console.log(`  notification  ${r.notification_id ?? '(none queued)'} queued; \`ovo-tokenize notifications list\` shows how its delivery went`);
}

const MARK = { passed: '✓', failed: '✗', skipped: '–' } as const;

function printReport(report: SandboxReceiverReport): void {
  console.log(`Receiver check for merchant ${report.merchant_id}`);
  let target = '';
  for (const check of report.checks) {
    if (check.target !== target) {
      target = check.target;
      console.log(`\n${target === 'notification' ? 'Payment notification URL' : 'Activation callback URL'}`);
    }
    console.log(`  ${MARK[check.result]} ${check.name}: ${check.detail}`);
    if (check.advice) console.log(`      ${check.advice}`);
  }
  const count = (result: string) => report.checks.filter((c) => c.result === result).length;
  console.log(`\n${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped: ${report.passed ? 'the receivers conform' : 'FAILED'}`);
}

function payType(value: string): string {
  if (value !== '0' && value !== '1' && value !== '2') throw new InvalidArgumentError('must be 0 (cash), 1 (points) or 2 (points first, then cash)');
  return value;
}
