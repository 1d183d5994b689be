'use strict';
/**
 * The Express middleware's sender and request path without ingest: retries on
 * 429/503 honouring Retry-After, drop-oldest when full, and requests that are
 * neither slowed nor failed when ingest is down. `node --test tests/express/`.
 */
const test = require('node:test');
const assert = require('node:assert');
const http = require('node:http');
const path = require('node:path');
const { Sender, retryDelayMs } = require(path.join(__dirname, '..', '..', 'clients', 'express', 'sender'));
const { sluiceMiddleware, cookieValue, clientAddress } = require(path.join(__dirname, '..', '..', 'clients', 'express'));

/** A fake ingest answering each POST with the next of `answers` ([status, headers]); records arrival times and bodies. */
async function fakeIngest(answers) {
  const seen = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks) });
      const [status, headers] = answers[Math.min(seen.length - 1, answers.length - 1)];
      res.writeHead(status, headers || {});
      res.end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, seen, endpoint: `http://127.0.0.1:${server.address().port}` };
}

const KEY = 'sk_test_0123456789abcdef';

test('a 429 with Retry-After is retried after that delay, then the batch is sent', async () => {
  const ingest = await fakeIngest([[429, { 'Retry-After': '1' }], [503, { 'Retry-After': '1' }], [202]]);
  const sender = new Sender({ endpoint: ingest.endpoint, writeKey: KEY, flushIntervalMs: 60000 });
  sender.enqueue({ type: 'event', id: 'e1', eventType: 't', eventName: 'n' });
  await sender.flush();
  assert.strictEqual(ingest.seen.length, 3);
  assert.ok(ingest.seen[1].at - ingest.seen[0].at >= 950, `waited ${ingest.seen[1].at - ingest.seen[0].at} ms, Retry-After said 1 s`);
  assert.ok(ingest.seen[2].at - ingest.seen[1].at >= 950);
  assert.deepStrictEqual({ ...sender.stats }, { sent: 1, dropped: 0, failed: 0, retries: 2 });
  assert.strictEqual(ingest.seen[0].headers['x-sluice-key'], KEY);
  assert.deepStrictEqual(JSON.parse(ingest.seen[2].body).batch.map((e) => e.id), ['e1'], 'the retry carries the same ids');
  await sender.close();
  ingest.server.close();
});

test('a 400 is not retried and is reported', async () => {
  const ingest = await fakeIngest([[400]]);
  const errors = [];
  const sender = new Sender({ endpoint: ingest.endpoint, writeKey: KEY, flushIntervalMs: 60000, onError: (e) => errors.push(e) });
  sender.enqueue({ type: 'event', id: 'bad' });
  await sender.flush();
  assert.strictEqual(ingest.seen.length, 1);
  assert.strictEqual(sender.stats.failed, 1);
  assert.match(String(errors[0]), /400/);
  await sender.close();
  ingest.server.close();
});

test('a full queue drops its oldest events and counts them', async () => {
  const sender = new Sender({ endpoint: 'http://127.0.0.1:9', writeKey: KEY, flushAt: 1000, maxQueue: 3, flushIntervalMs: 60000 });
  for (let i = 0; i < 5; i += 1) sender.enqueue({ id: `e${i}` });
  assert.deepStrictEqual(sender.queue.map((e) => e.id), ['e2', 'e3', 'e4']);
  assert.strictEqual(sender.stats.dropped, 2);
  clearInterval(sender.timer);
});

test('large batches are gzipped', async () => {
  const ingest = await fakeIngest([[202]]);
  const sender = new Sender({ endpoint: ingest.endpoint, writeKey: KEY, flushIntervalMs: 60000 });
  for (let i = 0; i < 30; i += 1) sender.enqueue({ type: 'event', id: `big-${i}`, eventType: 't', eventName: 'n'.repeat(50) });
  await sender.flush();
  assert.strictEqual(ingest.seen[0].headers['content-encoding'], 'gzip');
  assert.strictEqual(JSON.parse(require('node:zlib').gunzipSync(ingest.seen[0].body)).batch.length, 30);
  await sender.close();
  ingest.server.close();
});

test('backoff grows, is capped and follows Retry-After', () => {
  assert.strictEqual(retryDelayMs(0, 7), 7000);
  assert.ok(retryDelayMs(0) >= 250 && retryDelayMs(0) <= 500);
  assert.ok(retryDelayMs(20) <= 30000);
});

test('cookies and addresses are read as the middleware needs', () => {
  assert.strictEqual(cookieValue('a=1; sluice_visitor=v-123; b=2', 'sluice_visitor'), 'v-123');
  assert.strictEqual(cookieValue('xsluice_visitor=1', 'sluice_visitor'), undefined);
  assert.strictEqual(clientAddress({ ip: '::ffff:203.0.113.9' }, true), '203.0.113.0');
  assert.strictEqual(clientAddress({ ip: '2001:db8:1:2::7' }, true), '2001:db8:1::');
  assert.strictEqual(clientAddress({ ip: '203.0.113.9' }, false), '203.0.113.9');
});

test('options are checked with clear messages', () => {
  assert.throws(() => sluiceMiddleware({ writeKey: KEY }), /endpoint/);
  assert.throws(() => sluiceMiddleware({ endpoint: 'http://x', writeKey: 'short' }), /writeKey/);
  assert.throws(() => sluiceMiddleware({ endpoint: 'http://x', writeKey: KEY, skip: 'no' }), /skip/);
});
