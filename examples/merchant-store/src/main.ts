// Runs the example shop: `npm start -w @ovo-tokenize/example-merchant-store -- --port 3000`.
// Every setting is a flag or an environment variable (flags win); `--help` lists them.
import { parseArgs } from 'node:util';
import { startMerchantStore, type ShopEvent } from './server.ts';

const SETTINGS = {
  'gateway-url': { env: 'SHOP_GATEWAY_URL', fallback: 'http://127.0.0.1:8080', help: "the gateway's address" },
  'merchant-id': { env: 'SHOP_MERCHANT_ID', fallback: '77001', help: 'merchant id issued by the gateway' },
  'merchant-name': { env: 'SHOP_MERCHANT_NAME', fallback: 'Kedai Kopi Nusantara', help: 'merchant name' },
  'user-id': { env: 'SHOP_USER_ID', fallback: 'bot77001', help: 'API user id' },
  password: { env: 'SHOP_PASSWORD', fallback: 'kopi-77001', help: 'API password' },
  'hmac-secret': { env: 'SHOP_HMAC_SECRET', fallback: '', help: 'HMAC secret, when the merchant has one' },
  format: { env: 'SHOP_FORMAT', fallback: 'json', help: 'json or xml' },
  host: { env: 'SHOP_HOST', fallback: '127.0.0.1', help: 'address to listen on' },
  port: { env: 'SHOP_PORT', fallback: '3000', help: 'port to listen on (0: any free port)' },
  'public-url': { env: 'SHOP_PUBLIC_URL', fallback: '', help: "the shop's address as browsers and the gateway reach it" },
} as const;

type Setting = keyof typeof SETTINGS;

const { values: flags } = parseArgs({
  options: { ...Object.fromEntries(Object.keys(SETTINGS).map((k) => [k, { type: 'string' }])), help: { type: 'boolean' } } as Record<Setting | 'help', { type: 'string' | 'boolean' }>,
});

if (flags.help) {
  console.log('Usage: npm start -w @ovo-tokenize/example-merchant-store -- [options]\n');
  for (const [name, s] of Object.entries(SETTINGS)) {
    console.log(`  --${name.padEnd(14)} ${s.help} (env ${s.env}${s.fallback ? `, default ${s.fallback}` : ''})`);
  }
  process.exit(0);
}

function setting(name: Setting): string {
  const flag = flags[name];
  return (typeof flag === 'string' ? flag : undefined) ?? process.env[SETTINGS[name].env] ?? SETTINGS[name].fallback;
}

const format = setting('format');
if (format !== 'json' && format !== 'xml') throw new Error(`--format must be json or xml, got "${format}"`);
const port = Number(setting('port'));
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got "${setting('port')}"`);

function log(event: ShopEvent): void {
  const arrow = event.kind === 'call' ? '→' : event.kind === 'reply' ? '←' : event.kind === 'rejected' ? '✗' : '•';
  console.log(`${new Date().toISOString().slice(11, 19)} ${arrow} ${event.summary}`);
}

const shop = await startMerchantStore({
  gatewayUrl: setting('gateway-url'),
  merchantId: setting('merchant-id'),
  merchantName: setting('merchant-name'),
  userId: setting('user-id'),
  password: setting('password'),
  hmacSecret: setting('hmac-secret') || undefined,
  format,
  host: setting('host'),
  port,
  publicUrl: setting('public-url') || undefined,
  onEvent: log,
});

console.log(`${setting('merchant-name')} is open at ${shop.url}`);
console.log(`  gateway:  ${setting('gateway-url')} (merchant ${setting('merchant-id')}, ${format})`);
console.log('  the gateway must have this merchant with:');
console.log(`    --callback-url ${shop.merchantUrls.callbackUrl}`);
console.log(`    --return-url   ${shop.merchantUrls.returnUrl}`);
console.log(`    --payment-return-url ${shop.merchantUrls.paymentReturnUrl}`);
console.log(`    --notify-url   ${shop.merchantUrls.notifyUrl}`);

const stop = async () => {
  await shop.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
