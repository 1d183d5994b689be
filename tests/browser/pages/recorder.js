// Test helper, loaded before tracker.js: records every request the tracker makes
// in window.__requests (and lists them on the page, for the screenshots). With
// window.FORCE_503_ONCE, the first batch really goes to ingest (which stores it)
// but the tracker is told 503 + Retry-After: 1, so it must retry events that
// ingest already accepted: the duplicate case. window.ON_SEND, when set, is called
// with each request's record as it goes out (before its answer).
window.__requests = [];
window.__visibility = []; // {state, at}: when the tab was really hidden and shown
document.addEventListener('visibilitychange', function () {
  window.__visibility.push({ state: document.visibilityState, at: Date.now() });
});
(function () {
  var realFetch = window.fetch.bind(window);
  var realBeacon = navigator.sendBeacon.bind(navigator);
  function show() {
    var box = document.getElementById('__requests');
    if (!box && document.body) {
      box = document.createElement('pre');
      box.id = '__requests';
      box.style.cssText = 'position:fixed;right:8px;bottom:8px;margin:0;padding:6px;max-width:60%;font:12px monospace;background:#fffe;border:1px solid #999';
      document.body.appendChild(box);
    }
    if (box) box.textContent = window.__requests.map(function (r) {
      var kinds = r.body ? JSON.parse(r.body).batch.map(function (e) { return e.type + (e.timeSpent != null ? '+engagement' : ''); }).join(' ') : '';
      return r.via + ' ' + (r.forced ? 'forced 503' : r.status || (r.queued ? 'queued' : r.error || '...')) + ' ' + kinds;
    }).join('\n');
  }
  window.fetch = function (url, options) {
    var record = { via: 'fetch', url: String(url), body: options && options.body, at: Date.now() };
    window.__requests.push(record);
    show();
    var sent = realFetch(url, options);
    if (window.ON_SEND) window.ON_SEND(record);
    return sent.then(function (response) {
      record.status = response.status;
      if (window.FORCE_503_ONCE && record.url.indexOf('/api/analytics/batch') >= 0) {
        window.FORCE_503_ONCE = false;
        record.forced = true;
        response = new Response('{"error":"unavailable"}', { status: 503, headers: { 'Retry-After': '1' } });
      }
      show();
      return response;
    }, function (error) {
      record.error = String(error);
      show();
      throw error;
    });
  };
  navigator.sendBeacon = function (url, data) {
    var record = { via: 'beacon', url: String(url), at: Date.now() };
    window.__requests.push(record);
    record.queued = realBeacon(url, data);
    show();
    return record.queued;
  };
  document.addEventListener('DOMContentLoaded', show);
})();
