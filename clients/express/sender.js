'use strict';
/**
 * The batching sender behind the Express middleware: a bounded in-memory
 * queue, flushed by size and by interval to ingest's batch route, retried with
 * backoff on 429/503 (honouring Retry-After) and network errors, dropping the
 * oldest event (and counting it) when the queue is full. Nothing here ever
 * throws into the caller: failures are counted in `stats` and passed to `onError`.
 */
const http = require('node:http');
const https = require('node:https');
const zlib = require('node:zlib');

/** Bodies above this many bytes are sent gzipped (ingest inflates them). */
const GZIP_ABOVE_BYTES = 1024;

class Sender {
  /**
   * @param {object} options
   * @param {string} options.endpoint ingest's base URL, e.g. https://ingest.example.com
   * @param {string} options.writeKey the site's server key (sent as X-Sluice-Key)
   * @param {number} [options.flushAt=50] events that trigger a flush (and the most per batch)
   * @param {number} [options.flushIntervalMs=2000] longest an event waits in the queue
   * @param {number} [options.maxQueue=10000] queued events at most; past it the oldest is dropped
   * @param {number} [options.maxRetries=5] retries of one batch before it is given up
   * @param {number} [options.timeoutMs=5000] one request's deadline
   * @param {(error: Error) => void} [options.onError] told of every failure (never required)
   */
  constructor(options) {
    const url = new URL('/api/analytics/batch', options.endpoint);
    this.url = url;
    this.transport = url.protocol === 'https:' ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true, maxSockets: 4 });
    this.writeKey = options.writeKey;
    this.flushAt = options.flushAt ?? 50;
    this.maxQueue = options.maxQueue ?? 10000;
    this.maxRetries = options.maxRetries ?? 5;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.onError = options.onError ?? (() => {});
    this.queue = [];
    this.sending = null;
    /** Counters: events sent (accepted), dropped (queue full), failed (given up or refused), retries. */
    this.stats = { sent: 0, dropped: 0, failed: 0, retries: 0 };
    this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 2000);
    this.timer.unref();
  }

  /** Queues one event; flushes when `flushAt` are waiting. */
  enqueue(event) {
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.stats.dropped += 1;
    }
    this.queue.push(event);
    if (this.queue.length >= this.flushAt) this.flush();
  }

  /** Sends everything queued, one batch at a time; resolves when the queue is empty or a batch was given up. */
  flush() {
    if (this.sending) return this.sending;
    if (this.queue.length === 0) return Promise.resolve();
    this.sending = this.drain().finally(() => {
      this.sending = null;
    });
    return this.sending;
  }

  /** Stops the interval and sends what is queued. */
  async close() {
    clearInterval(this.timer);
    await this.flush();
    this.agent.destroy();
  }

  /** Sends batches until the queue is empty. */
  async drain() {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.flushAt);
      await this.deliver(batch);
    }
  }

  /** One batch, with retries; never rejects. */
  async deliver(batch) {
    const body = JSON.stringify({ batch, sentAt: new Date().toISOString() });
    for (let attempt = 0; ; attempt += 1) {
      let reply;
      try {
        reply = await this.post(body);
      } catch (error) {
        reply = { status: 0, error };
      }
      if (reply.status >= 200 && reply.status < 300) {
        this.stats.sent += batch.length;
        return;
      }
      const retriable = reply.status === 0 || reply.status === 429 || reply.status === 503 || reply.status >= 500;
      if (!retriable || attempt >= this.maxRetries) {
        this.stats.failed += batch.length;
        this.onError(reply.error ?? new Error(`sluice: batch of ${batch.length} refused with ${reply.status}: ${reply.text}`));
        return;
      }
      this.stats.retries += 1;
      await sleep(retryDelayMs(attempt, reply.retryAfter));
    }
  }

  /** POSTs the body; resolves with {status, text, retryAfter}. Retried ids are the events' own, so ingest drops duplicates. */
  post(body) {
    let payload = Buffer.from(body);
    const headers = { 'Content-Type': 'application/json', 'X-Sluice-Key': this.writeKey, 'User-Agent': `sluice-express/0.1 node/${process.versions.node}` };
    if (payload.length > GZIP_ABOVE_BYTES) {
      payload = zlib.gzipSync(payload);
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = payload.length;
    return new Promise((resolve, reject) => {
      const request = this.transport.request(this.url, { method: 'POST', headers, agent: this.agent, timeout: this.timeoutMs }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const retryAfter = Number.parseInt(response.headers['retry-after'] ?? '', 10);
          resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8'), retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined });
        });
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`sluice: no answer within ${this.timeoutMs} ms`)));
      request.on('error', reject);
      request.end(payload);
    });
  }
}

/** Retry-After (seconds) when the server gave one, else exponential backoff from 0.5 s with jitter, at most 30 s. */
function retryDelayMs(attempt, retryAfterSeconds) {
  if (retryAfterSeconds !== undefined) return Math.min(retryAfterSeconds, 300) * 1000;
  const base = Math.min(30000, 500 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

module.exports = { Sender, retryDelayMs };
