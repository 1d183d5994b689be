'use strict';
/**
 * A small seed-style Express app with the Sluice middleware, for
 * tests/express/test_express.py. Run with NODE_PATH=/usr/share/nodejs (Debian's
 * node-express). Environment: PORT (0 = any; the port is printed as
 * "listening <port>"), SLUICE_ENDPOINT, SLUICE_KEY.
 */
const express = require('express');
const path = require('node:path');
const { sluiceMiddleware } = require(path.join(__dirname, '..', '..', 'clients', 'express'));

const errors = [];
const tracking = sluiceMiddleware({
  endpoint: process.env.SLUICE_ENDPOINT,
  writeKey: process.env.SLUICE_KEY,
  skip: (req) => req.path === '/health' || req.path.startsWith('/__'),
  flushAt: 20,
  flushIntervalMs: 200,
  maxQueue: Number(process.env.SLUICE_MAX_QUEUE || 10000),
  onError: (error) => errors.push(String(error)),
});

const app = express();
app.set('trust proxy', 'loopback');
app.use(tracking);
app.use(express.json());

app.get('/', (req, res) => res.type('html').send('<!doctype html><title>Shop</title><h1>Shop</h1>'));
app.get('/api/items/:id', (req, res) => res.json({ id: req.params.id }));
app.post('/api/orders', (req, res) => res.status(201).json({ ok: true, items: (req.body.items || []).length }));
app.get('/api/slow', (req, res) => setTimeout(() => res.json({ slow: true }), 150));
app.get('/api/missing', (req, res) => res.status(404).json({ error: 'not found' }));
app.get('/health', (req, res) => res.send('ok'));
// Test hooks, never tracked: the middleware's counters and errors, and a flush.
app.get('/__stats', (req, res) => res.json({ stats: tracking.stats, errors }));
app.post('/__flush', async (req, res) => {
  await tracking.flush();
  res.json({ stats: tracking.stats, errors });
});

const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
process.on('SIGTERM', async () => {
  server.close();
  await tracking.close();
  process.exit(0);
});
