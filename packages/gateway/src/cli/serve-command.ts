import type { Command } from 'commander';
import { configFromEnv, DEVELOPMENT_PIN_PEPPER, parsePort, type GatewayConfig } from '../config.ts';
import { gatewayLoggerOptions } from '../observability/logging.ts';
import { startGateway } from '../server.ts';
import { databaseUrlFrom } from './database-option.ts';

export function registerServeCommand(program: Command): void {
  program.command('serve').description('run the gateway (sandbox mode unless --no-sandbox)')
    .option('--host <host>', 'address to listen on (env OVO_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env OVO_PORT, default 8080)', parsePort)
    .option('--db <url>', 'database: sqlite:<path>, a path, or postgres://… (env OVO_DB, default sqlite:./data/ovo.sqlite)')
    .option('--public-url <url>', "the gateway's address as browsers reach it (env OVO_PUBLIC_URL)")
    .option('--no-sandbox', 'production behaviour: no test wallets, no inbox, no demo merchant')
    .action(async (flags: { host?: string; port?: number; db?: string; publicUrl?: string; sandbox: boolean }) => {
      const fromEnv = configFromEnv();
      const config: Partial<GatewayConfig> = { ...fromEnv, databaseUrl: databaseUrlFrom(flags.db) };
      if (flags.host) config.host = flags.host;
      if (flags.port !== undefined) config.port = flags.port;
      if (flags.publicUrl) config.publicUrl = flags.publicUrl;
      if (!flags.sandbox) config.sandbox = false;
      if (config.sandbox === false && (config.pinPepper ?? DEVELOPMENT_PIN_PEPPER) === DEVELOPMENT_PIN_PEPPER) {
        throw new Error('outside sandbox mode set OVO_PIN_PEPPER to a long random secret (it keys every PIN hash)');
      }
      const gateway = await startGateway({ config, logger: gatewayLoggerOptions(config.logLevel ?? 'info') });
      const { config: running } = gateway.ctx;
      console.log(`OVO Tokenize gateway listening on ${gateway.url}`);
      console.log(`  public URL: ${running.publicUrl}`);
      console.log(`  database:   ${gateway.ctx.database.location} (${gateway.ctx.database.kind}; ${gateway.durability.settings})`);
      if (!gateway.durability.durable) {
        console.error(`WARNING: the database does not make commits durable (${gateway.durability.settings}): `
          + 'a payment answered 00 can be lost on a power failure. Use fsync=on and synchronous_commit=on.');
      }
      console.log(`  mode:       ${running.sandbox ? 'sandbox (test wallets, OTP inbox at /sandbox/inbox)' : 'production'}`);
      const metricsBase = running.metrics === 'on' ? gateway.url : gateway.metricsUrl;
      console.log(`  metrics:    ${metricsBase ? `${metricsBase}/metrics` : 'off (set OVO_METRICS)'}`);
      console.log(`  readiness:  ${gateway.url}/ready`);
      if (gateway.demoMerchant) {
        const m = gateway.demoMerchant;
        console.log('  demo merchant provisioned (sandbox, empty database):');
        console.log(`    merchant_id ${m.merchantId}, user_id ${m.userId}, password ${m.password}`);
      }
      const stop = async () => {
        await gateway.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
