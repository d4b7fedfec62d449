import type { Command } from 'commander';
import { DEFAULT_CONFIG } from '../config.ts';
import { hashPin } from '../domain/pin.ts';
import { inTransaction } from '../store/transaction.ts';
import { findWalletByPhone, insertWallet, listWallets, walletBalances } from '../store/wallets.ts';
import { withDatabase } from './database-option.ts';
import { phone, pin, printTable, rupiah } from './parse.ts';

export function registerWalletCommands(program: Command): void {
  const wallet = program.command('wallet').description('create and inspect OVO wallets (customers)');

  wallet.command('add').description('create a wallet with opening balances')
    .requiredOption('--phone <08…>', 'the OVO phone number', phone)
    .requiredOption('--name <name>', "the customer's name")
    .requiredOption('--pin <6 digits>', 'the wallet PIN', pin)
    .option('--cash <rupiah>', 'opening cash balance (default 0)', rupiah)
    .option('--points <n>', 'opening OVO points (default 0)', rupiah)
    .option('--db <url>', 'database URL (env OVO_DB)')
    .action(async (flags: { phone: string; name: string; pin: string; cash?: bigint; points?: bigint; db?: string }) => {
      await withDatabase(flags.db, async (database) => {
        if (await findWalletByPhone(database.db, flags.phone)) throw new Error(`a wallet for ${flags.phone} already exists`);
        const pinHash = await hashPin(flags.pin, process.env.OVO_PIN_PEPPER ?? DEFAULT_CONFIG.pinPepper);
        const created = await inTransaction(database, (tx) => insertWallet(tx, {
          phone: flags.phone, name: flags.name, pinHash, cash: flags.cash ?? 0n, points: flags.points ?? 0n, sandbox: false,
        }, Date.now()));
        console.log(`wallet ${created.phone} added (${created.name}): cash ${flags.cash ?? 0n}, points ${flags.points ?? 0n}`);
      });
    });

  wallet.command('list').description('list wallets with their balances').option('--db <url>', 'database URL (env OVO_DB)')
    .action(async (flags: { db?: string }) => {
      await withDatabase(flags.db, async (database) => {
        const rows = [];
        for (const w of await listWallets(database.db)) {
          const { cash, points } = await walletBalances(database.db, w);
          rows.push({ phone: w.phone, name: w.name, cash: String(cash), points: String(points), status: w.status, sandbox: w.sandbox ? 'yes' : 'no' });
        }
        printTable(rows);
      });
    });
}
