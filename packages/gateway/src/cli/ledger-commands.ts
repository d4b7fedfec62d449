import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { parseDatabaseUrl } from '../store/database.ts';
import { checkLedger, type LedgerCheck } from '../store/ledger-check.ts';
import { databaseUrlFrom, withDatabase } from './database-option.ts';

export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('inspect the wallet ledger');

  ledger.command('check').description("verify the ledger's invariants; exits 1 naming each one broken")
    .option('--db <url>', 'database URL (env OVO_DB)')
    .action(async (flags: { db?: string }) => {
      const url = databaseUrlFrom(flags.db);
      // Every other command creates a missing database; here that would report a mistyped path as a healthy ledger.
      const parsed = parseDatabaseUrl(url);
      if (parsed.kind === 'sqlite' && parsed.path !== ':memory:' && !existsSync(parsed.path)) throw new Error(`no database at ${parsed.path}`);
      const result = await withDatabase(flags.db, (database) => checkLedger(database.db));
      if (result.violations.length === 0) {
        console.log(`ledger ok: ${summary(result)}`);
        return;
      }
      console.error(`ledger check failed: ${result.violations[0]!.invariant} (${counted(result.violations.length, 'violation')}; ${summary(result)})`);
      for (const v of result.violations) console.error(`  ${v.invariant}: ${v.detail}`);
      process.exitCode = 1;
    });
}

function summary(r: LedgerCheck): string {
  return [counted(r.accounts, 'account'), counted(r.transfers, 'transfer'), counted(r.openHolds, 'open hold'), counted(r.payments, 'payment')].join(', ');
}

function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
