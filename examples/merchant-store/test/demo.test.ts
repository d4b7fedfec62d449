// Proves that `ovo-tokenize demo`, run as a newcomer runs it (a fresh process from the repository root, no OVO_* settings), plays the whole story in JSON and in XML and exits 0, printing numbered steps with each pay type, the notification-paid orders, the history's Cash/Points split, the relinkRequired answer and the relink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OVO_')) env[k] = v;
  const started = Date.now();
  const child = spawn(process.execPath, ['packages/gateway/bin/ovo-tokenize.js', 'demo', ...args], { cwd: ROOT, env: { ...env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr, ms: Date.now() - started });
  }));
}

for (const format of ['json', 'xml'] as const) {
  test(`npx ovo-tokenize demo --format ${format} tells the whole story and exits 0`, async () => {
    const run = await runDemo(['--format', format]);
    assert.equal(run.code, 0, `exit code\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
    assert.equal(run.stderr, '');
    const out = run.stdout;
    assert.ok(run.ms < 30_000, `finished in ${run.ms} ms`);
    assert.match(out, new RegExp(`speaking ${format.toUpperCase()}`));
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]) assert.match(out, new RegExp(`^Step ${n}\\. `, 'm'), `step ${n}`);
    // Linking through the real page, both ways back to the shop.
    assert.match(out, /ovo\.activate\(\{ phone: '081234567890'/);
    assert.match(out, /sandbox inbox .*"\d{6} is your OVO verification code/);
    assert.match(out, /activation callback: signature verified, 081234567890 linked/);
    assert.match(out, /browser back at the return URL: signature verified, linked/);
    assert.match(out, /OVO Cash Rp 1\.000\.000, OVO Points 50\.000/);
    // Each pay type, each one paid by its notification.
    for (const payType of ['cash', 'points', 'pointsThenCash']) assert.match(out, new RegExp(`payType: '${payType}'`));
    assert.match(out, /"Waiting for payment" — accepted is not paid/);
    assert.match(out, /Rp 65\.000 from OVO Cash Rp 40\.000 \+ OVO Points 25\.000/);
    assert.equal(out.match(/order "Waiting for payment" → "Paid"/g)?.length, 4, 'four notifications marked four orders paid');
    // Balance and history with the split.
    assert.match(out, /OVO Cash Rp 875\.000, OVO Points 0/);
    assert.match(out, /^\s+\d{16}\s+\S+ \S+\s+SUCCESS\s+Rp 65\.000\s+Rp 40\.000\s+25\.000$/m);
    assert.match(out, /^\s+\d{16}\s+\S+ \S+\s+SUCCESS\s+Rp 25\.000\s+Rp 0\s+25\.000$/m);
    assert.match(out, /^\s+\d{16}\s+\S+ \S+\s+SUCCESS\s+Rp 85\.000\s+Rp 85\.000\s+0$/m);
    // Unlink, 02, relink, pay again.
    assert.match(out, /ovo\.unlink\(\{ phone: '081234567890' \}\)/);
    assert.match(out, /relinkRequired \(02\): .*relink at http:\/\/127\.0\.0\.1:\d+\/activation\//);
    assert.match(out, /the page offers "Link again"/);
    assert.match(out, /four orders paid; OVO Cash Rp 857\.000, OVO Points 0/);
    assert.match(out, /^Demo finished in [\d.]+ s/m);
  });
}
