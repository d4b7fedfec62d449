import type { Command } from 'commander';
import { registerSandboxClockCommands } from './sandbox-clock-commands.ts';
import { registerScenarioCommands } from './sandbox-scenario-commands.ts';
import { registerTriggerCommands } from './sandbox-trigger-commands.ts';

/** `ovo-tokenize sandbox …`: clients of a running sandbox gateway's /sandbox API (cli/sandbox-client.ts). */
export function registerSandboxCommands(program: Command): void {
  const sandbox = program.command('sandbox').description('drive a running sandbox gateway: clock, scenarios, triggers, receiver checks');
  registerSandboxClockCommands(sandbox);
  registerScenarioCommands(sandbox);
  registerTriggerCommands(sandbox);
}
