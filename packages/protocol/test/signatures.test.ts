// Proves the legacy sha1(md5(…)) signatures match known vectors and the HMAC header accepts only fresh, untampered bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activationCallbackSignature,
  hmacSignatureHeader,
  legacySignature,
  notificationSignature,
  requestSignature,
  signaturesEqual,
  verifyHmacSignatureHeader,
} from '../src/index.ts';

// Computed with: printf '%s' "$parts" | openssl md5 -r | cut -d' ' -f1 | tr -d '\n' | openssl sha1 -r
const GUIDE_SAMPLE_SIGNATURE = '1d4c5f7246a762c4ab61cd3d399efa4c28978bf3';
const SHA1_OF_MD5_OF_EMPTY = '67a74306b06d0c01624fe0d0249a570f4d093747';

test('legacySignature is sha1(hex md5(concatenation)), lower-case hex', () => {
  assert.equal(legacySignature(''), SHA1_OF_MD5_OF_EMPTY);
  assert.equal(legacySignature(), SHA1_OF_MD5_OF_EMPTY);
  // The guide's sample activation signature is this vector: user bot99999, password p@ssw0rd.
  assert.equal(legacySignature('bot99999', 'p@ssw0rd', '081382826301'), GUIDE_SAMPLE_SIGNATURE);
  assert.equal(legacySignature('bot99999p@ssw0rd081382826301'), GUIDE_SAMPLE_SIGNATURE);
});

test('operation signatures concatenate their parts in spec order', () => {
  assert.equal(requestSignature('bot99999', 'p@ssw0rd', '081382826301'), GUIDE_SAMPLE_SIGNATURE);
  assert.equal(
    notificationSignature('bot99999', 'p@ssw0rd', 'INV-1', '2'),
    legacySignature('bot99999p@ssw0rdINV-12'),
  );
  assert.equal(
    activationCallbackSignature('bot99999', 'p@ssw0rd', '081382826301', '00'),
    legacySignature('bot99999p@ssw0rd08138282630100'),
  );
});

test('signaturesEqual compares case-insensitively and never throws on length', () => {
  assert.equal(signaturesEqual(GUIDE_SAMPLE_SIGNATURE, GUIDE_SAMPLE_SIGNATURE), true);
  assert.equal(signaturesEqual(GUIDE_SAMPLE_SIGNATURE.toUpperCase(), GUIDE_SAMPLE_SIGNATURE), true);
  assert.equal(signaturesEqual(GUIDE_SAMPLE_SIGNATURE, SHA1_OF_MD5_OF_EMPTY), false);
  assert.equal(signaturesEqual(GUIDE_SAMPLE_SIGNATURE, GUIDE_SAMPLE_SIGNATURE.slice(0, 39)), false);
  assert.equal(signaturesEqual('', GUIDE_SAMPLE_SIGNATURE), false);
  assert.equal(signaturesEqual('', ''), true);
  assert.equal(signaturesEqual('é', 'e'), false);
});

const SECRET = 'whsec_test_secret';
const BODY = '{"merchant_id":"99999","phone_no":"081382826301"}';
const NOW = 1_700_000_000;

test('HMAC header has the form t=<unix>,v1=<hex> and verifies', () => {
  const header = hmacSignatureHeader(SECRET, BODY, NOW);
  assert.match(header, /^t=1700000000,v1=[0-9a-f]{64}$/);
  assert.deepEqual(verifyHmacSignatureHeader(SECRET, header, BODY, NOW), { ok: true });
  assert.deepEqual(
    verifyHmacSignatureHeader(SECRET, header, new TextEncoder().encode(BODY), NOW + 300),
    { ok: true },
  );
  assert.equal(hmacSignatureHeader(SECRET, new TextEncoder().encode(BODY), NOW), header);
});

test('HMAC header rejects a tampered body or a wrong secret as mismatch', () => {
  const header = hmacSignatureHeader(SECRET, BODY, NOW);
  assert.deepEqual(verifyHmacSignatureHeader(SECRET, header, BODY.replace('99999', '99998'), NOW), {
    ok: false,
    reason: 'mismatch',
  });
  assert.deepEqual(verifyHmacSignatureHeader('other', header, BODY, NOW), { ok: false, reason: 'mismatch' });
  const movedTime = header.replace(`t=${NOW}`, `t=${NOW + 1}`);
  assert.deepEqual(verifyHmacSignatureHeader(SECRET, movedTime, BODY, NOW), { ok: false, reason: 'mismatch' });
});

test('HMAC header outside the tolerance is stale', () => {
  const header = hmacSignatureHeader(SECRET, BODY, NOW);
  assert.deepEqual(verifyHmacSignatureHeader(SECRET, header, BODY, NOW + 301), { ok: false, reason: 'stale' });
  assert.deepEqual(verifyHmacSignatureHeader(SECRET, header, BODY, NOW - 301), { ok: false, reason: 'stale' });
  assert.deepEqual(verifyHmacSignatureHeader(SECRET, header, BODY, NOW + 30, 10), { ok: false, reason: 'stale' });
});

test('HMAC header accepts any of several v1 entries (key rotation)', () => {
  const current = hmacSignatureHeader(SECRET, BODY, NOW);
  const old = hmacSignatureHeader('old-secret', BODY, NOW);
  const both = `${old},v1=${current.split('v1=')[1]}`;
  assert.deepEqual(verifyHmacSignatureHeader(SECRET, both, BODY, NOW), { ok: true });
  assert.deepEqual(verifyHmacSignatureHeader('old-secret', both, BODY, NOW), { ok: true });
  assert.deepEqual(verifyHmacSignatureHeader('third', both, BODY, NOW), { ok: false, reason: 'mismatch' });
  assert.deepEqual(verifyHmacSignatureHeader(SECRET, `${current},v0=abc`, BODY, NOW), { ok: true });
});

test('HMAC header missing or malformed', () => {
  assert.deepEqual(verifyHmacSignatureHeader(SECRET, undefined, BODY, NOW), { ok: false, reason: 'missing' });
  assert.deepEqual(verifyHmacSignatureHeader(SECRET, '  ', BODY, NOW), { ok: false, reason: 'missing' });
  const v1 = hmacSignatureHeader(SECRET, BODY, NOW).split(',')[1];
  for (const bad of [
    'garbage',
    `t=${NOW}`,
    v1,
    `t=abc,${v1}`,
    `t=${NOW},t=${NOW},${v1}`,
    `t=${NOW},v1=xyz`,
    `t=-5,${v1}`,
    `t=${NOW},${v1}0`,
  ]) {
    assert.deepEqual(verifyHmacSignatureHeader(SECRET, bad, BODY, NOW), { ok: false, reason: 'malformed' }, bad);
  }
  assert.throws(() => hmacSignatureHeader(SECRET, BODY, 1.5), RangeError);
});
