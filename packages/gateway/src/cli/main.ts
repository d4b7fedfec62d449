import { Command } from 'commander';
import { registerDeliveryCommands } from './delivery-commands.ts';
import { registerDemoCommand } from './demo-command.ts';
import { registerLedgerCommands } from './ledger-commands.ts';
import { registerMerchantCommands } from './merchant-commands.ts';
import { registerNotificationCommands } from './notification-commands.ts';
import { registerSandboxCommands } from './sandbox-commands.ts';
import { registerServeCommand } from './serve-command.ts';
import { registerWalletCommands } from './wallet-commands.ts';

const program = new Command('ovo-tokenize')
  .description('OVO Tokenize gateway (the Faspay side) for development, testing and self-hosting')
  .showHelpAfterError();
registerServeCommand(program);
registerMerchantCommands(program);
registerWalletCommands(program);
registerNotificationCommands(program);
registerDeliveryCommands(program);
registerLedgerCommands(program);
registerDemoCommand(program);
registerSandboxCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
