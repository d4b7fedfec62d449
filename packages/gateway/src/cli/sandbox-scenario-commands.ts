import type { Command } from 'commander';
import { SCENARIO_HELP, SCENARIO_TYPES, type ScenarioView } from '../services/sandbox-scenarios.ts';
import { printTable } from './parse.ts';
import { callSandbox, gatewayUrlFrom, withGatewayOption } from './sandbox-client.ts';

/** Each flag of `scenario add` and the API field it fills; the gateway checks the values. */
const ADD_FLAGS = [
  ['--phone <08…>', 'phone_no', 'the test wallet\'s phone number'],
  ['--merchant <id>', 'merchant_id', 'the shop (expire_link, break_link; optional for response_code)'],
  ['--cash <rupiah>', 'cash', 'set_balance: the available cash'],
  ['--points <points>', 'points', 'set_balance: the available points'],
  ['--new-phone <08…>', 'new_phone_no', 'change_phone: the new number'],
  ['--outcome <outcome>', 'outcome', 'payment_outcome: insufficient_funds, failed, expired or pending'],
  ['--operation <name>', 'operation', 'response_code: the protocol operation, e.g. payment or balance'],
  ['--code <code>', 'response_code', 'response_code: the code to answer, e.g. 96'],
  ['--count <n>', 'count', 'armed scenarios: how many payments or calls (default 1)'],
] as const;

/** `ovo-tokenize sandbox scenario …`: the /sandbox/scenarios API of a running sandbox gateway. */
export function registerScenarioCommands(sandbox: Command): void {
  const scenario = sandbox.command('scenario').description('put a test wallet into a state, or arm how its next payments or calls end');

  const add = withGatewayOption(scenario.command('add')
    .description('add a scenario; immediate ones apply at once, armed ones wait for the next payments or calls')
    .argument('<type>', SCENARIO_TYPES.join(' | '))
    .addHelpText('after', `\nTypes:\n${SCENARIO_TYPES.map((t) => `  ${t.padEnd(16)} ${SCENARIO_HELP[t]}`).join('\n')}\n`));
  for (const [flag, , description] of ADD_FLAGS) add.option(flag, description);
  add.action(async (type: string, flags: Record<string, string | undefined>) => {
    const body: Record<string, string> = { type };
    for (const [flag, field] of ADD_FLAGS) {
      const value = flags[optionKey(flag)];
      if (value !== undefined) body[field] = value;
    }
    const { scenario: added } = await callSandbox(gatewayUrlFrom(flags.gateway), 'POST', '/sandbox/scenarios', body) as { scenario: ScenarioView };
    console.log(`scenario ${added.id} ${added.state === 'armed' ? `armed for the next ${added.remaining}` : 'applied'}: ${describe(added)}`);
  });

  withGatewayOption(scenario.command('list').description('list the scenarios, oldest first'))
    .action(async (flags: { gateway?: string }) => {
      const { scenarios } = await callSandbox(gatewayUrlFrom(flags.gateway), 'GET', '/sandbox/scenarios') as { scenarios: ScenarioView[] };
      printTable(scenarios.map((s) => ({
        id: s.id, type: s.type, state: s.state, remaining: s.remaining === null ? '-' : String(s.remaining), details: describe(s), created: s.created_at,
      })));
    });

  withGatewayOption(scenario.command('remove').description('disarm one scenario').argument('<id>', 'the scenario id (see list)'))
    .action(async (id: string, flags: { gateway?: string }) => {
      const { scenario: removed } = await callSandbox(gatewayUrlFrom(flags.gateway), 'DELETE', `/sandbox/scenarios/${encodeURIComponent(id)}`) as { scenario: ScenarioView };
      console.log(`scenario ${removed.id} is ${removed.state}`);
    });

  withGatewayOption(scenario.command('reset').description('disarm and forget every scenario (balances, links and PINs stay as they are)'))
    .action(async (flags: { gateway?: string }) => {
      const { removed } = await callSandbox(gatewayUrlFrom(flags.gateway), 'POST', '/sandbox/scenarios/reset') as { removed: number };
      console.log(`${removed} scenario${removed === 1 ? '' : 's'} removed`);
    });
}

/** commander's key for a flag: `--new-phone <08…>` → newPhone. */
function optionKey(flag: string): string {
  return flag.split(' ')[0]!.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** The scenario's parameters as `name=value …`. */
function describe(s: ScenarioView): string {
  const hidden = new Set(['id', 'type', 'state', 'remaining', 'created_at']);
  return Object.entries(s).filter(([name]) => !hidden.has(name)).map(([name, value]) => `${name}=${value}`).join(' ');
}
