import SluiceRedis
import SluiceReports

/// The real-time page's markup: the figures as the server read them (the page is complete
/// without JavaScript) and a small script that keeps them current from the event stream.
enum RealtimePage {
    /// The page for `snapshot`, in the dashboard's `layout`.
    static func page(_ snapshot: LiveSnapshot, layout: PageLayout) -> HTMLPage {
        let total = snapshot.eventsPerMinute.reduce(0) { $0 + $1.events }
        let rows = snapshot.pages.map { #"<tr><td>\#(HTMLPage.escaped($0.path))</td><td class="n">\#(ReportFormat.count($0.views))</td></tr>"# }.joined()
        let body = """
            <p class="muted">People active in the last 5 minutes; bots left out. <span id="rt-status">As of page load; updates every few seconds while the page is open.</span></p>
            <div class="cards">
            <div class="card"><div class="label">Live visitors</div><div class="value" id="rt-visitors">\(ReportFormat.count(snapshot.activeVisitors))</div></div>
            <div class="card"><div class="label">Active sessions</div><div class="value" id="rt-sessions">\(ReportFormat.count(snapshot.activeSessions))</div></div>
            <div class="card"><div class="label">Events, last \(LiveReads.seriesMinutes) minutes</div><div class="value" id="rt-events">\(ReportFormat.count(total))</div></div>
            </div>
            <h2>Events per minute</h2>
            \(RealtimeChart.svg(snapshot.eventsPerMinute))
            <h2>Pages being viewed now</h2>
            <p class="muted">People's page views in the last \(LiveReads.pageMinutes) minutes, by path.</p>
            <table id="rt-pages"><thead><tr><th>Path</th><th class="n">Views</th></tr></thead>
            <tbody>\(rows.isEmpty ? emptyRow : rows)</tbody></table>
            <script>\(script)</script>
            """
        return layout.page(.realtime, body: body)
    }

    static let emptyRow = #"<tr><td colspan="2">No page views in the last minutes.</td></tr>"#

    /// Updates the figures, the bars and the pages from each event; data goes in as text
    /// only (`textContent`), never as markup.
    static let script = """
        (function () {
          if (!window.EventSource) return;
          var count = function (n) { return Number(n).toLocaleString("en-US"); };
          var set = function (id, text) { document.getElementById(id).textContent = text; };
          var source = new EventSource("/api/dashboard/realtime/stream");
          source.onmessage = function (message) {
            var figures = JSON.parse(message.data);
            set("rt-visitors", count(figures.activeVisitors));
            set("rt-sessions", count(figures.activeSessions));
            set("rt-events", count(figures.eventsLast30Minutes));
            set("rt-status", "Live, as of " + figures.at.slice(11, 19) + " UTC.");
            var chart = document.getElementById("rt-chart"), base = Number(chart.dataset.base), plot = Number(chart.dataset.plot);
            var peak = Math.max(1, Math.max.apply(null, figures.eventsPerMinute.map(function (m) { return m.events; })));
            set("rt-peak", "peak " + peak + "/min");
            chart.querySelectorAll(".rt-bar").forEach(function (bar, index) {
              var minute = figures.eventsPerMinute[index]; if (!minute) return;
              var height = plot * minute.events / peak;
              bar.setAttribute("y", (base - height).toFixed(1)); bar.setAttribute("height", height.toFixed(1));
              bar.querySelector("title").textContent = minute.minute.slice(11, 16) + " UTC: " + minute.events + " events";
            });
            var body = document.querySelector("#rt-pages tbody");
            body.replaceChildren.apply(body, figures.pages.map(function (page) {
              var row = document.createElement("tr"), path = document.createElement("td"), views = document.createElement("td");
              path.textContent = page.path; views.className = "n"; views.textContent = count(page.views); row.append(path, views); return row;
            }));
            if (!figures.pages.length) { var none = body.insertRow(), cell = none.insertCell(); cell.colSpan = 2; cell.textContent = "No page views in the last minutes."; }
          };
          source.onerror = function () { set("rt-status", "Reconnecting…"); };
        })();
        """
}
