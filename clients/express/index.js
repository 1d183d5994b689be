'use strict';
/**
 * Sluice's server-side tracking for Express (plain JavaScript, no build step):
 *
 *   const { sluiceMiddleware } = require('./clients/express');
 *   app.use(sluiceMiddleware({ endpoint: 'https://ingest.example.com', writeKey: process.env.SLUICE_SERVER_KEY }));
 *
 * For every request it records an API call (route path, method, status,
 * response time) and, for an HTML page load, a page view, each with the
 * visitor of the `sluice_visitor` cookie (set when absent) and the browser's
 * user agent, referrer and anonymised address in `context`. Events are batched
 * by ./sender.js; nothing here can slow or fail the request it observes.
 * docs/server.md is the guide.
 */
const crypto = require('node:crypto');
const net = require('node:net');
const { Sender } = require('./sender');

/** A cookie value ingest accepts as a visitor id. */
const VISITOR_ID = /^[A-Za-z0-9_-]{1,100}$/;
const YEAR_SECONDS = 365 * 24 * 3600;
const MAX_RESPONSE_MS = 86400000;

/**
 * The middleware. Options: `endpoint` and `writeKey` (a server key of the
 * site) are required; `skip(req, res)` leaves a request untracked;
 * `cookieName` (default sluice_visitor), `cookieDomain` (the site's parent
 * domain, as SLUICE_COOKIE_DOMAIN), `pageViews` (default true),
 * `anonymizeIP` (default true) and the sender's `flushAt`, `flushIntervalMs`,
 * `maxQueue`, `maxRetries`, `timeoutMs`, `onError`.
 * The function returned also has `flush()`, `close()` and `stats`.
 */
function sluiceMiddleware(options = {}) {
  if (typeof options.endpoint !== 'string' || !/^https?:\/\//.test(options.endpoint)) {
    throw new TypeError('sluiceMiddleware: options.endpoint must be ingest\'s http(s) URL, e.g. https://ingest.example.com');
  }
  if (typeof options.writeKey !== 'string' || options.writeKey.length < 16) {
    throw new TypeError('sluiceMiddleware: options.writeKey must be a server key of the site (at least 16 characters)');
  }
  if (options.skip !== undefined && typeof options.skip !== 'function') {
    throw new TypeError('sluiceMiddleware: options.skip must be a function (req, res) => boolean');
  }
  const cookieName = options.cookieName ?? 'sluice_visitor';
  const sender = new Sender(options);
  const settings = { cookieName, cookieDomain: options.cookieDomain, pageViews: options.pageViews !== false, anonymizeIP: options.anonymizeIP !== false };

  function middleware(req, res, next) {
    try {
      if (options.skip && options.skip(req, res)) return next();
      const started = process.hrtime.bigint();
      const visitorId = visitorOf(req, res, settings);
      req.sluiceVisitorId = visitorId;
      res.once('finish', () => {
        try {
          for (const event of eventsOf(req, res, started, visitorId, settings)) sender.enqueue(event);
        } catch (error) {
          sender.onError(error);
        }
      });
    } catch (error) {
      sender.onError(error);
    }
    return next();
  }
  middleware.flush = () => sender.flush();
  middleware.close = () => sender.close();
  middleware.stats = sender.stats;
  return middleware;
}

/** The visitor id of the cookie, or a new one set as the cookie (as ingest sets it). */
function visitorOf(req, res, settings) {
  const known = cookieValue(req.headers.cookie, settings.cookieName);
  if (known && VISITOR_ID.test(known)) return known;
  const visitorId = crypto.randomUUID();
  const attributes = [`${settings.cookieName}=${visitorId}`, `Max-Age=${YEAR_SECONDS}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (settings.cookieDomain) attributes.push(`Domain=${settings.cookieDomain}`);
  if (req.secure) attributes.push('Secure');
  res.append('Set-Cookie', attributes.join('; '));
  return visitorId;
}

/** The value of cookie `name` in a Cookie header, or undefined. */
function cookieValue(header, name) {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/** The API call, and a page view when the response was an HTML page. */
function eventsOf(req, res, started, visitorId, settings) {
  const responseTime = Math.min(MAX_RESPONSE_MS, Math.round(Number(process.hrtime.bigint() - started) / 1e6));
  const timestamp = new Date().toISOString();
  const context = { userAgent: req.headers['user-agent'], ip: clientAddress(req, settings.anonymizeIP), referrer: req.headers.referer, library: 'sluice-express' };
  for (const key of Object.keys(context)) if (context[key] === undefined) delete context[key];
  const events = [{
    type: 'api', id: crypto.randomUUID(), visitorId, timestamp, context,
    endpoint: routePath(req), method: req.method, statusCode: res.statusCode, responseTime,
  }];
  const contentType = String(res.getHeader('content-type') ?? '');
  if (settings.pageViews && req.method === 'GET' && res.statusCode < 400 && contentType.startsWith('text/html')) {
    const url = `${req.protocol}://${req.get('host')}${req.originalUrl}`;
    const pageview = { type: 'pageview', id: crypto.randomUUID(), visitorId, timestamp, context, url };
    if (req.headers.referer) pageview.referrer = req.headers.referer;
    events.push(pageview);
  }
  return events;
}

/** The matched route's pattern (`/items/:id`), so calls group by route; the path when none matched. */
function routePath(req) {
  if (req.route && typeof req.route.path === 'string') return (req.baseUrl || '') + req.route.path;
  return (req.originalUrl || req.url || '/').split('?')[0];
}

/** The client's address as Express sees it (`trust proxy` decides), IPv4 cut to /24 and IPv6 to /48 when anonymising. */
function clientAddress(req, anonymize) {
  let address = req.ip || (req.socket && req.socket.remoteAddress);
  if (!address) return undefined;
  if (address.startsWith('::ffff:') && net.isIPv4(address.slice(7))) address = address.slice(7);
  if (!anonymize) return address;
  if (net.isIPv4(address)) return address.replace(/\.\d+$/, '.0');
  if (net.isIPv6(address)) {
    const [head] = address.split('::');
    const groups = head.split(':').filter(Boolean);
    const full = address.includes('::') ? groups : address.split(':');
    return `${full.slice(0, 3).join(':')}::`;
  }
  return undefined;
}

module.exports = { sluiceMiddleware, cookieValue, clientAddress };
