/*! Sluice browser tracker (docs/tracker.md) */
(function (w, d, nav) {
  'use strict';
  var loaded = w.sluice;
  if (loaded && loaded.version) return;

  var tag = d.currentScript || d.querySelector('script[src*="tracker.js"]');
  function attr(name) { return tag && tag.getAttribute('data-' + name); }
  function isOff(value) { return /^(false|0|off)$/i.test(value); }
  var endpoint = (attr('endpoint') || (tag ? new URL(tag.src, location.href).origin : '')).replace(/\/+$/, '') + '/api/analytics/batch';
  var writeKey = attr('write-key');
  var auto = !isOff(attr('auto'));
  var browserSaysNo = attr('respect-dnt') != null && !isOff(attr('respect-dnt')) &&
    (nav.doNotTrack == '1' || w.doNotTrack == '1' || nav.globalPrivacyControl === true);
  // granted: send; pending (data-consent="pending", until optIn) and denied: send nothing.
  var consent = browserSaysNo ? 'denied' : attr('consent') == 'pending' ? 'pending' : 'granted';
  var userId = null; // identify(), until reset()

  var BATCH = 10, WAIT_MS = 1000, ATTEMPTS = 5, BEACON_BYTES = 60000;
  var queue = [], waiting = [], flushTimer = 0; // waiting: batches whose retry timer runs

  function uuid() { // randomUUID needs https
    var c = w.crypto;
    return c.randomUUID ? c.randomUUID() : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, function (x) {
      return (x ^ c.getRandomValues(new Uint8Array(1))[0] & 15 >> x / 4).toString(16);
    });
  }

  // Queues an event; the promise resolves with its id once ingest accepted it.
  // options: the optional last argument of every call, {properties, context, userId}.
  function track(type, fields, options) {
    var event = { type: type, id: fields.id || uuid(), timestamp: new Date().toISOString() }, key;
    for (key in fields) if (fields[key] != null) event[key] = fields[key];
    if (userId != null) event.userId = userId;
    if (options && typeof options == 'object') ['properties', 'context', 'userId'].forEach(function (name) {
      if (options[name] != null) event[name] = options[name];
    });
    var promise = new Promise(function (resolve, reject) {
      if (consent != 'granted') return resolve(event.id); // never sent: the page's code runs the same
      queue.push({ event: event, resolve: resolve, reject: reject, attempts: 0 });
      if (queue.length >= BATCH) flush();
      else flushTimer = flushTimer || setTimeout(flush, WAIT_MS);
    });
    promise['catch'](function () {}); // callers may ignore it
    return promise;
  }

  // Leaving: by beacon, retries included, the page may be gone soon.
  function flush(leaving) {
    clearTimeout(flushTimer);
    flushTimer = 0;
    leaving = leaving === true;
    if (leaving) waiting.splice(0).forEach(function (batch) {
      clearTimeout(batch.timer);
      queue = batch.items.concat(queue);
    });
    while (queue.length) send(queue.splice(0, BATCH), leaving);
  }

  function send(items, leaving) {
    var sentAt = new Date().toISOString();
    var body = { batch: items.map(function (item) { item.event.sentAt = sentAt; return item.event; }) };
    if (writeKey) body.writeKey = writeKey;
    body = JSON.stringify(body);
    var small = body.length < BEACON_BYTES;
    if (leaving && small && nav.sendBeacon(endpoint, new Blob([body], { type: 'text/plain' }))) return settle(items);
    items.forEach(function (item) { item.attempts++; });
    // A string body is text/plain: no CORS preflight.
    fetch(endpoint, { method: 'POST', body: body, credentials: 'include', keepalive: small }).then(function (response) {
      var status = response.status;
      if (response.ok) return settle(items);
      if (status == 429 || status > 499) return retry(items, +response.headers.get('Retry-After'));
      // A batch is refused whole: resend its events one by one, to lose only the bad ones.
      if ((status == 400 || status == 413) && items.length > 1) return items.forEach(function (item) { send([item]); });
      response.text().then(function (text) { settle(items, 'refused with HTTP ' + status + ': ' + text); });
    }, function () { retry(items); });
  }

  function retry(items, seconds) {
    if (consent != 'granted') return settle(items); // opted out while it was on the wire: not again
    var attempts = items[0].attempts;
    if (attempts >= ATTEMPTS) return settle(items, 'not accepted after ' + attempts + ' attempts');
    var batch = { items: items };
    batch.timer = setTimeout(function () {
      waiting.splice(waiting.indexOf(batch), 1);
      send(items);
    }, seconds > 0 ? Math.min(seconds, 300) * 1000 : (1 + Math.random()) * 500 << attempts); // else 1-2 s, doubling
    waiting.push(batch);
  }

  function settle(items, failure) {
    if (failure) console.warn('sluice: dropped ' + items.length + ' event(s), ' + failure);
    items.forEach(function (item) {
      if (failure) item.reject(new Error('sluice: ' + failure)); else item.resolve(item.event.id);
    });
  }

  // Page views and their engagement: visible time, deepest scroll.
  var page, firstView = true;

  function trackPageview(options) {
    reportEngagement(); // of the page left
    var id = uuid();
    // Without the #fragment: OAuth implicit flows put access tokens there.
    page = { id: id, url: location.href.split('#')[0], spent: 0, since: d.visibilityState == 'hidden' ? 0 : Date.now(), depth: 0,
      unsent: consent != 'granted', referrer: firstView && d.referrer, options: options };
    firstView = false;
    return track('pageview', { id: id, pageviewId: id, url: page.url, referrer: page.referrer || null, title: d.title }, options);
  }

  function measureScroll() {
    if (!page) return;
    var depth = Math.round(Math.min(1, (w.scrollY + w.innerHeight) / d.documentElement.scrollHeight) * 100);
    if (depth > page.depth) page.depth = depth;
  }

  function reportEngagement() {
    if (!page) return;
    measureScroll();
    var spent = Math.min(864e5, Math.round(page.spent + (page.since && Date.now() - page.since)));
    var report = spent + '/' + page.depth;
    if (report == page.sent) return;
    page.sent = report;
    track('pageview', { pageviewId: page.id, url: page.url, timeSpent: spent, scrollDepth: page.depth });
  }

  function onHidden() {
    if (page && page.since) {
      page.spent += Date.now() - page.since;
      page.since = 0;
    }
    reportEngagement();
    flush(true);
  }

  // SPA navigation: a new page view when the URL (without #fragment) changed.
  function onRoute() {
    if (page && location.href.split('#')[0] != page.url) trackPageview();
  }

  w.addEventListener('scroll', measureScroll, { passive: true });
  d.addEventListener('visibilitychange', function () {
    if (d.visibilityState == 'hidden') onHidden();
    else if (page && !page.since) page.since = Date.now();
  });
  w.addEventListener('pagehide', onHidden);
  w.addEventListener('pageshow', function (e) { if (e.persisted && page) trackPageview(); }); // back from the bfcache
  if (auto) {
    ['pushState', 'replaceState'].forEach(function (name) {
      var original = history[name];
      history[name] = function () {
        var result = original.apply(this, arguments);
        onRoute();
        return result;
      };
    });
    w.addEventListener('popstate', onRoute);
  }

  // The manual API: the seed's positional arguments, then optionally {properties, context, userId}.
  function method(type, names) {
    names = names.split(' ');
    return function () {
      var fields = {}, args = arguments;
      names.forEach(function (name, i) { fields[name] = args[i]; });
      return track(type, fields, args[names.length]);
    };
  }

  // Identity: later events carry userId; one event records the traits.
  function identify(id, traits, options) {
    userId = id == null ? null : String(id);
    return track('event', { eventType: 'identify', eventName: 'identify', eventData: traits || {} }, options);
  }

  // Consent at run time. The browser's own signal (data-respect-dnt) is not overridden.
  function optIn() {
    if (browserSaysNo || consent == 'granted') return;
    consent = 'granted';
    if (page && page.unsent) { // the current page's view, never sent: now it is
      var options = page.options;
      firstView = page.referrer !== false; // the referrer goes with the page load's first view
      page = null;
      trackPageview(options);
    }
  }

  function optOut() {
    consent = 'denied';
    clearTimeout(flushTimer);
    flushTimer = 0;
    waiting.splice(0).forEach(function (batch) { clearTimeout(batch.timer); queue = queue.concat(batch.items); });
    queue.splice(0).forEach(function (item) { item.resolve(item.event.id); });
  }

  var api = w.sluice = {
    version: 1,
    trackChat: method('chat', 'agentId agentName userMessage aiResponse responseTime model language'),
    trackFeedback: method('feedback', 'interactionId satisfied feedback'),
    trackTool: method('tool', 'toolName category inputData outputData success errorMessage executionTime'),
    trackExperiment: method('lab', 'experimentName experimentType inputData outputData model success errorMessage processingTime'),
    trackEvent: method('event', 'eventType eventName eventData success errorMessage'),
    trackPageview: trackPageview,
    identify: identify,
    reset: function () { userId = null; },
    optIn: optIn,
    optOut: optOut,
    flush: flush,
    auto: auto,
    ready: function () { return Promise.resolve(api); } // for a stub's caller: the loaded tracker
  };

  // Calls queued by the snippet before the script loaded: [method, arguments, resolve, reject].
  // Identity and consent calls first, so the automatic page view already obeys them.
  var queued = (loaded && loaded.q) || [], early = /^(identify|reset|optIn|optOut)$/;
  function replay(call) {
    var result = api[call[0]].apply(api, call[1]);
    if (call[2]) Promise.resolve(result).then(call[2], call[3]);
  }
  queued.filter(function (call) { return early.test(call[0]); }).forEach(replay);
  if (auto) trackPageview();
  queued.filter(function (call) { return !early.test(call[0]); }).forEach(replay);
})(window, document, navigator);
