/// The dashboard's one stylesheet, sent inline with every page (no external assets).
enum PageStyle {
    /// The rules: a plain, readable layout, tables, headline cards and the chart.
    static let css = """
        body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
        main{max-width:1200px;margin:0 auto;padding:0 16px 32px}
        nav{display:flex;gap:14px;align-items:center;flex-wrap:wrap;padding:10px 0;border-bottom:1px solid #d8dce3}
        nav a{color:#2457c5;text-decoration:none}nav a[aria-current]{font-weight:600;color:#1d2430}
        nav form{margin-left:auto}
        h1{font-size:22px;margin:16px 0 8px}h2{font-size:16px;margin:20px 0 6px}
        form.controls{display:flex;gap:10px;flex-wrap:wrap;align-items:end;background:#fff;padding:10px;border:1px solid #d8dce3;border-radius:6px}
        form.controls label{display:flex;flex-direction:column;font-size:12px;color:#5a6372}
        .error{background:#fde8e8;border:1px solid #e0a0a0;color:#8a1c1c;padding:8px 10px;border-radius:6px}
        .muted{color:#5a6372}
        .cards{display:flex;gap:10px;flex-wrap:wrap;margin:12px 0}
        .card{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:10px 14px;min-width:150px}
        .card .label{font-size:12px;color:#5a6372}.card .value{font-size:22px;font-weight:600}
        .card .change{font-size:12px;color:#5a6372}
        .tables{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:12px}
        .tables>div{min-width:0;overflow-x:auto}.tables>div.wide{grid-column:1/-1}
        table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d8dce3}
        th,td{padding:4px 8px;border-bottom:1px solid #eceef2;text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
        .csv{font-size:12px;font-weight:normal;margin-left:8px}
        .chart .axis{stroke:#c4c9d2}.chart .tick{fill:#5a6372;font-size:11px}.chart .legend{font-size:12px}
        svg.chart{background:#fff;border:1px solid #d8dce3;border-radius:6px;width:100%;height:auto}
        """
}
