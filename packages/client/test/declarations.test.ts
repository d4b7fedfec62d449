// Proves that the published declarations (dist/ of the client and the protocol, built at install and before every test run) are those of the current sources and need nothing their package does not depend on, and that a TypeScript project outside the packages with nothing but `tsc --strict` (no allowImportingTsExtensions) type-checks a merchant integration against `@ovo-tokenize/client` — including the README quick start — while an un-narrowed result still fails to compile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import ts from 'typescript';
import * as source from '../src/index.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
/** The packages whose declarations a merchant's compiler reads, by directory. */
const DECLARING = ['client', 'protocol'].map((name) => join(repo, 'packages', name));

function declarationFiles(packageDir: string): string[] {
  return readdirSync(join(packageDir, 'dist'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.d.ts')).map((f) => join(packageDir, 'dist', f));
}

test('the compiled package is the current sources, and its declarations import only what the package depends on', async () => {
  const compiled = await import(join(repo, 'packages', 'client', 'dist', 'index.js')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(compiled).sort(), Object.keys(source).sort(), 'dist/ exports what src/ exports (npm run build)');
  for (const dir of DECLARING) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const allowed = new Set(Object.keys(manifest.dependencies ?? {}));
    for (const file of declarationFiles(dir)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\()\s*['"]([^'"]+)['"]/g)) {
        const specifier = match[1]!;
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        assert.ok(allowed.has(name), `${file} imports ${specifier}, which is not a dependency of its package`);
      }
    }
  }
});

test('the package name resolves to the same module at run time, and its version is the one it reports', async () => {
  const byName = await import('@ovo-tokenize/client');
  assert.equal(byName.OvoTokenizeClient, source.OvoTokenizeClient);
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(source.CLIENT_VERSION, manifest.version);
});

/** A project in a temporary directory, outside the repository, that sees the repository's node_modules. */
function consumerProject(files: Record<string, string>, compilerOptions: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ovo-consumer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module' }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    // skipLibCheck as `tsc --init` writes it; the declarations themselves are checked separately below.
    compilerOptions: { target: 'ES2022', noEmit: true, types: ['node'], skipLibCheck: true, ...compilerOptions },
    files: Object.keys(files),
  }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function runTsc(dir: string, ...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), ...args], { cwd: dir });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The README's quick start, as printed there. */
function quickStart(): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const match = /<!-- quick-start -->\s*```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(match, 'the README has a quick-start block');
  assert.ok(match[1]!.split('\n').length - 1 < 30, 'the quick start is under 30 lines');
  return match[1]!;
}

/** The README's sandbox example, with the client it assumes. */
function sandboxExample(): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const match = /## Sandbox tools in your tests[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(match, 'the README has a sandbox example');
  return `import { OvoTokenizeClient } from '@ovo-tokenize/client';\ndeclare const ovo: OvoTokenizeClient;\n${match[1]!}export {};\n`;
}

const INTEGRATION = `
import {
  FASPAY_SANDBOX_ENDPOINTS, OvoAuthenticationError, OvoTokenizeClient, OvoTokenizeError, createNotificationHandler, notificationAck,
  verifyActivationCallback, verifyNotification, type PayResult, type PaymentNotification,
} from '@ovo-tokenize/client';

const ovo = new OvoTokenizeClient({
  baseUrl: 'http://127.0.0.1:8080', merchantId: '99999', merchantName: 'Demo Shop', userId: 'bot99999', password: 'p@ssw0rd',
  format: 'xml', hmacSecret: 'whsec_x', endpoints: FASPAY_SANDBOX_ENDPOINTS, timeoutMs: 5_000, maxRetries: 3,
});

export async function checkout(phone: string): Promise<string> {
  try {
    const result: PayResult = await ovo.pay({ billNo: 'A-1', description: 'Teh', amount: 10_000n, phone, customerName: 'A', email: 'a@b.co', payType: 'cash' });
    switch (result.outcome) {
      case 'ok': return \`\${result.trxId} \${result.amount + 1n}\`;
      case 'relinkRequired': return result.relinkUrl;
      case 'failed': return result.code;
    }
  } catch (error) {
    if (error instanceof OvoAuthenticationError) return \`check credentials (\${error.requestId})\`;
    if (error instanceof OvoTokenizeError) return \`\${error.code} \${error.httpStatus ?? ''} \${error.responseCode ?? ''}\`;
    throw error;
  }
}

export async function wallet(phone: string): Promise<bigint> {
  const balance = await ovo.balance({ phone });
  let spent = 0n;
  for await (const page of ovo.historyAll({ phone, startDate: '2025-01-01', endDate: '2025-01-31' })) {
    if (page.outcome !== 'ok') break;
    for (const t of page.transactions) spent += t.cash + t.points;
  }
  return balance.outcome === 'ok' ? balance.cash + balance.points - spent : -1n;
}

export function receive(rawBody: Buffer, contentType: string, headers: Record<string, string | string[] | undefined>) {
  const n: PaymentNotification = verifyNotification({ rawBody, contentType, headers, userId: 'bot99999', password: 'p@ssw0rd', hmacSecret: 'whsec_x' });
  return notificationAck(n);
}

export const handler: (request: Request) => Promise<Response> = createNotificationHandler({
  userId: 'bot99999', password: 'p@ssw0rd', onNotification: (n, { notificationId }) => { void [n.paymentStatusCode, notificationId]; },
});
export const linked: boolean = verifyActivationCallback('?a=b', { userId: 'u', password: 'p' }).linked;
`;

const FORGETS_TO_NARROW = `
import { OvoTokenizeClient } from '@ovo-tokenize/client';
declare const ovo: OvoTokenizeClient;
const balance = await ovo.balance({ phone: '081234567890' });
export const cash: bigint = balance.cash;
`;

test('a project outside the packages type-checks the quick start and an integration with plain tsc --strict (NodeNext and bundler resolution)', async () => {
  const files = { 'quick-start.ts': quickStart(), 'integration.ts': INTEGRATION, 'sandbox.ts': sandboxExample() };
  const nodeNext = consumerProject(files, { module: 'NodeNext', moduleResolution: 'NodeNext' });
  const bundler = consumerProject(files, { module: 'ESNext', moduleResolution: 'Bundler', exactOptionalPropertyTypes: true });
  const broken = consumerProject({ 'forgets.ts': FORGETS_TO_NARROW }, { module: 'NodeNext', moduleResolution: 'NodeNext' });
  const [a, c] = await Promise.all([runTsc(nodeNext, '--strict'), runTsc(broken, '--strict')]);
  assert.equal(a.code, 0, a.output);
  assert.notEqual(c.code, 0);
  assert.match(c.output, /forgets\.ts\(5,37\): error TS2339: Property 'cash' does not exist on type 'BalanceResult'/);
  assert.doesNotMatch(c.output, /node_modules|packages\//, 'the only error is in the consumer, none in the package');

  // Bundler resolution with exactOptionalPropertyTypes, in process; and the declarations themselves under the
  // strictest common flags (what skipLibCheck skipped above).
  const parsed = ts.getParsedCommandLineOfConfigFile(join(bundler, 'tsconfig.json'), { strict: true, skipLibCheck: false, noUncheckedIndexedAccess: true }, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  });
  assert.ok(parsed);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const shipped = DECLARING.map((dir) => join(dir, 'dist').split('\\').join('/'));
  const ours = program.getSourceFiles().filter((f) => shipped.some((d) => f.fileName.startsWith(d)) || f.fileName.startsWith(bundler));
  assert.ok(ours.length >= 22, `the consumer program loads its files and the shipped declarations (${ours.length})`);
  for (const d of shipped) assert.ok(ours.some((f) => f.fileName === `${d}/index.d.ts`), `${d}/index.d.ts is what the consumer reads`);
  for (const name of Object.keys(files)) assert.ok(ours.some((f) => f.fileName === join(bundler, name)), name);
  const problems = ours.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]);
  assert.deepEqual(problems.map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`), []);
});
