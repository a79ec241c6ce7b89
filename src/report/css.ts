import { REAL_COLOR, SYN_COLOR } from './charts';

/** The report's stylesheet: screen and print (A4), no web fonts, no external resources. */
export const reportCss = `
:root { --real: ${REAL_COLOR}; --syn: ${SYN_COLOR}; --ink: #1d2329; --muted: #5d6873; --line: #dde2e7; --good: #1f7a4d; --fair: #a86a00; --bad: #b3261e; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: Helvetica, Arial, sans-serif; color: var(--ink); margin: 0; background: #f4f6f8; font-size: 13px; line-height: 1.45; }
main { max-width: 1040px; margin: 0 auto; padding: 28px 32px 48px; background: white; }
h1 { font-size: 24px; margin: 0 0 2px; letter-spacing: -0.01em; }
h2 { font-size: 18px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 14px; margin: 20px 0 8px; }
p { margin: 6px 0; }
.meta { color: var(--muted); font-size: 12px; margin-bottom: 18px; }
.cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 10px; margin: 14px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; break-inside: avoid; }
.card .label { font-size: 11px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
.card .value { font-size: 26px; font-weight: 700; margin: 2px 0; }
.card .note { font-size: 11.5px; color: var(--muted); }
.verdict { border-left: 6px solid var(--muted); background: #f7f8fa; padding: 10px 14px; margin: 12px 0; break-inside: avoid; }
.verdict.strong { border-color: var(--good); } .verdict.acceptable { border-color: var(--fair); } .verdict.at-risk { border-color: var(--bad); }
.verdict strong { font-size: 14px; }
.verdict ul { margin: 6px 0 0 18px; padding: 0; }
.lvl-strong, .good { color: var(--good); } .lvl-acceptable, .fair { color: var(--fair); } .lvl-at-risk, .bad { color: var(--bad); } .lvl-not-measured { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 12px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.two { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 18px; }
.charts { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px 14px; }
.chart { break-inside: avoid; }
.chart svg { max-width: 100%; height: auto; }
.wide svg { max-width: 100%; height: auto; }
.legend { font-size: 12px; color: var(--muted); margin: 4px 0 8px; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; vertical-align: -1px; margin: 0 4px 0 10px; }
.swatch.real { background: var(--real); } .swatch.syn { background: var(--syn); }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; font-size: 12px; }
.kv div:nth-child(odd) { color: var(--muted); }
.kv.settings { grid-template-columns: max-content minmax(0, 1fr) max-content minmax(0, 1fr); font-size: 11.5px; }
.small { font-size: 11.5px; color: var(--muted); }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 11px; font-weight: 600; background: #eef1f4; }
@page { size: A4; margin: 13mm 12mm; }
@media print {
  body { background: white; font-size: 11.5px; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; } h3 { break-after: avoid; }
  tr, .card, .verdict, .chart { break-inside: avoid; }
}
`;

/**
 * The reports' Content-Security-Policy (a meta tag, so it holds wherever the file is opened):
 * no scripts, no network, no forms, no frames; only the inline styles and data: images the report uses.
 */
export const reportCsp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'";
export const reportCspMeta = `<meta http-equiv="Content-Security-Policy" content="${reportCsp}">`;
