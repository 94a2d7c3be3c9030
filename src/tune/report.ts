// What `conftune tune` shows: the terminal table, the progress line, and a self-contained HTML
// page (inline SVG charts, no script, no external resource) with the before/after evidence.

import type { ArmSummary, ComparisonResult } from './compare.js';
import type { TuneProgress, TuneResult } from './types.js';

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function table(rows: string[][], rightFrom = 1): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => pad(c, widths[i]!, i >= rightFrom)).join('  ').trimEnd()).join('\n');
}

function runRange(a: ArmSummary): string {
  const rps = a.samples.map((s) => s.rps);
  return rps.length ? `${fmt(Math.min(...rps))}–${fmt(Math.max(...rps))}` : '-';
}

/** The one-line progress display for a TTY. */
export function formatProgress(p: TuneProgress): string {
  const what = p.index !== undefined ? ` ${p.index}/${p.total} ${p.label ?? ''}` : p.label ? ` ${p.label}` : '';
  const round = p.round !== undefined ? ` (round ${p.round}/${p.rounds})` : '';
  return `tune: ${p.phase}${what}${round}  ${fmt(p.elapsedSec, 1)}s / ${p.budgetSec}s`;
}

/** The terminal report: every candidate measured, then baseline vs tuned. */
export function formatTuneTable(r: TuneResult): string {
  const out: string[] = [];
  out.push(`backend: ${r.backend.description}`);
  out.push(`host: ${r.host.cpus} cores, nginx ${r.host.nginx}; ${fmt(r.elapsedSec, 1)}s of a ${r.budgetSec}s budget${r.interrupted ? ' (interrupted)' : ''}`);
  if (r.candidates.length > 0) {
    out.push('', 'candidates (req/s ratio against the reference of their phase, paired per round):');
    const rows = [['phase', 'candidate', 'ratio', 'range', 'verdict']];
    for (const c of r.candidates) {
      for (const [scenario, v] of Object.entries(c.verdicts)) {
        const ratio = c.ratios[scenario as keyof typeof c.ratios];
        // A zero ratio means the reference served nothing: no ratio exists.
        const has = ratio !== undefined && ratio.median > 0;
        rows.push([`${c.phase}${scenario === 'throughput' ? '' : ` (${scenario})`}`, c.label, has ? `${fmt(ratio.median, 2)}×` : ratio ? 'ref. 0 req/s' : '-', has ? `${fmt(ratio.min, 2)}–${fmt(ratio.max, 2)}` : '-', `${v}${c.accepted ? ' ✓' : ''}`]);
      }
    }
    out.push(table(rows.map((row) => [row[0]!, row[1]!, row[2]!, row[3]!, row[4]!]), 2));
  }
  if (r.baseline) {
    const b = r.baseline;
    const t = r.tuned;
    const confirm = r.comparisons.find((c) => c.phase === 'confirm');
    const slow = confirm?.slowClients;
    const under = slow ? `, beside ${slow.connections} clients reading ${slow.path} at ${Math.round(slow.bytesPerSec / 1024)} KiB/s` : '';
    out.push('', t ? `baseline vs tuned (re-measured side by side${under}):` : 'baseline:');
    const col = (f: (a: ArmSummary) => string): string[] => [f(b), ...(t ? [f(t)] : [])];
    const rows: string[][] = [['', 'baseline', ...(t ? ['tuned'] : [])]];
    rows.push(['req/s (median)', ...col((a) => fmt(a.rps))]);
    rows.push(['req/s runs', ...col(runRange)]);
    rows.push(['spread ±', ...col((a) => `${fmt(a.spread * 100, 1)}%`)]);
    rows.push(['p50 ms', ...col((a) => fmt(a.p50, 2))]);
    rows.push(['p99 ms', ...col((a) => fmt(a.p99, 2))]);
    rows.push(['errors', ...col((a) => String(a.errors))]);
    rows.push(['nginx CPU ms/req', ...col((a) => fmt(a.nginxCpuPerKReq, 3))]);
    rows.push(['backend CPU ms/req', ...col((a) => fmt(a.backendCpuPerKReq, 3))]);
    out.push(table(rows));
    if (t && r.ratio && r.ratio.median > 0) out.push(`ratio: ${fmt(r.ratio.median, 2)}× req/s (paired rounds ${fmt(r.ratio.min, 2)}–${fmt(r.ratio.max, 2)})`);
    else if (t && r.ratio) out.push('ratio: none (the baseline served no request in any round)');
  }
  out.push('', r.chosen.changes.length > 0 ? `chosen: ${r.chosen.label}` : 'chosen: the original configuration (no change measured better)');
  for (const c of r.chosen.changes) out.push(`  - ${c}`);
  for (const a of r.advice) out.push(`advice: ${a}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n');
}

// ---- HTML ----------------------------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const COLORS = ['#7a869a', '#1f77b4', '#2ca02c', '#d62728', '#9467bd', '#ff7f0e', '#17becf', '#8c564b'];

/** Bars of median req/s per arm, with a whisker from the slowest to the fastest run. */
export function throughputSvg(c: ComparisonResult, title: string): string {
  const w = 760;
  const rowH = 34;
  const left = 300;
  const h = 40 + c.arms.length * rowH + 30;
  const max = Math.max(1, ...c.arms.flatMap((a) => a.samples.map((s) => s.rps)), ...c.arms.map((a) => a.rps));
  const x = (v: number): number => left + (v / max) * (w - left - 70);
  const parts: string[] = [];
  parts.push(`<text x="0" y="18" class="title">${esc(title)}</text>`);
  c.arms.forEach((a, i) => {
    const y = 36 + i * rowH;
    const rps = a.samples.map((s) => s.rps);
    const lo = rps.length ? Math.min(...rps) : a.rps;
    const hi = rps.length ? Math.max(...rps) : a.rps;
    const label = a.label.length > 44 ? `${a.label.slice(0, 43)}…` : a.label;
    parts.push(`<text x="${left - 8}" y="${y + 17}" text-anchor="end" class="label">${esc(label)}</text>`);
    parts.push(`<rect x="${left}" y="${y + 4}" width="${Math.max(1, x(a.rps) - left).toFixed(1)}" height="${rowH - 12}" fill="${COLORS[i % COLORS.length]}"><title>${esc(`${a.label}: ${fmt(a.rps)} req/s`)}</title></rect>`);
    parts.push(`<line x1="${x(lo).toFixed(1)}" x2="${x(hi).toFixed(1)}" y1="${y + 15}" y2="${y + 15}" class="whisker"/>`);
    parts.push(`<line x1="${x(lo).toFixed(1)}" x2="${x(lo).toFixed(1)}" y1="${y + 9}" y2="${y + 21}" class="whisker"/>`);
    parts.push(`<line x1="${x(hi).toFixed(1)}" x2="${x(hi).toFixed(1)}" y1="${y + 9}" y2="${y + 21}" class="whisker"/>`);
    parts.push(`<text x="${(x(hi) + 6).toFixed(1)}" y="${y + 19}" class="value">${fmt(a.rps)}</text>`);
  });
  const axisY = 36 + c.arms.length * rowH + 4;
  parts.push(`<line x1="${left}" x2="${w - 70}" y1="${axisY}" y2="${axisY}" class="axis"/>`);
  parts.push(`<text x="${left}" y="${axisY + 16}" class="tick">0</text><text x="${w - 70}" y="${axisY + 16}" text-anchor="end" class="tick">${fmt(max)} req/s</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg>`;
}

/** Latency by percentile (p50 … max), one curve per arm, log-scaled milliseconds. */
export function latencySvg(arms: ArmSummary[], title: string): string {
  const w = 760;
  const h = 320;
  const l = 60;
  const r = 20;
  const top = 34;
  const bottom = 50;
  const points = arms[0]?.percentiles.map((p) => p.p) ?? [];
  const all = arms.flatMap((a) => a.percentiles.map((p) => Math.max(0.01, p.ms)));
  const lo = Math.log10(Math.min(...all, 1));
  const hi = Math.log10(Math.max(...all, 1) * 1.2);
  const x = (i: number): number => l + (points.length > 1 ? (i / (points.length - 1)) * (w - l - r) : 0);
  const y = (ms: number): number => top + (1 - (Math.log10(Math.max(0.01, ms)) - lo) / Math.max(1e-9, hi - lo)) * (h - top - bottom);
  const parts: string[] = [`<text x="0" y="18" class="title">${esc(title)}</text>`];
  const ticks: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) for (const m of [1, 2, 5]) ticks.push(m * 10 ** e);
  for (const v of ticks) {
    if (y(v) < top - 1 || y(v) > h - bottom + 1) continue;
    parts.push(`<line x1="${l}" x2="${w - r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/><text x="${l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${v >= 1 ? fmt(v) : v} ms</text>`);
  }
  points.forEach((p, i) => parts.push(`<text x="${x(i).toFixed(1)}" y="${h - bottom + 18}" text-anchor="middle" class="tick">${p === 100 ? 'max' : `p${p}`}</text>`));
  arms.forEach((a, k) => {
    const color = COLORS[k % COLORS.length];
    const d = a.percentiles.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.ms).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2.5"/>`);
    a.percentiles.forEach((p, i) => parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(p.ms).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${a.label} p${p.p}: ${p.ms} ms`)}</title></circle>`));
    parts.push(`<rect x="${l + 10 + k * 220}" y="${h - 22}" width="12" height="12" fill="${color}"/><text x="${l + 28 + k * 220}" y="${h - 12}" class="label">${esc(a.label.length > 28 ? `${a.label.slice(0, 27)}…` : a.label)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg>`;
}

function diffHtml(patch: string): string {
  return patch.split('\n').map((line) => {
    const cls = line.startsWith('+++') || line.startsWith('---') ? 'hdr' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
    return cls ? `<span class="${cls}">${esc(line)}</span>` : esc(line);
  }).join('\n');
}

/** The self-contained HTML report. */
export function renderHtmlReport(r: TuneResult, title = 'conftune tune report'): string {
  const confirm = r.comparisons.find((c) => c.phase === 'confirm');
  const sections: string[] = [];
  const ratioText = r.ratio && r.ratio.median > 0 ? `<b>${fmt(r.ratio.median, 2)}×</b> (paired rounds ${fmt(r.ratio.min, 2)}–${fmt(r.ratio.max, 2)})` : 'the baseline served no request in any round';
  const summary = r.baseline && r.tuned && r.ratio
    ? `<p class="big">${fmt(r.baseline.rps)} → <b>${fmt(r.tuned.rps)}</b> req/s: ${ratioText}, errors ${r.baseline.errors} → ${r.tuned.errors}</p>`
    : `<p class="big">No change measured better than the baseline.</p>`;
  sections.push(summary);
  const slowNote = (c: ComparisonResult): string =>
    c.slowClients ? `<p>Beside the measured load: ${c.slowClients.connections} slow clients reading <code>${esc(c.slowClients.path)}</code> at ${Math.round(c.slowClients.bytesPerSec / 1024)} KiB/s.</p>` : '';
  if (confirm) {
    sections.push(`<h2>Throughput: baseline vs tuned${confirm.scenario === 'throughput' ? '' : ` (${esc(confirm.scenario)})`}</h2>${slowNote(confirm)}${throughputSvg(confirm, `req/s, median of ${confirm.rounds} interleaved runs (whiskers: slowest–fastest run)`)}`);
    sections.push(`<h2>Latency by percentile</h2>${latencySvg(confirm.arms, 'latency, ms (log scale), median over runs')}`);
  }
  for (const c of r.comparisons.filter((x) => x.phase !== 'confirm')) {
    sections.push(`<h2>${esc(c.phase)} (${esc(c.scenario)})</h2>${slowNote(c)}${throughputSvg(c, `req/s per arm, ${c.rounds} round${c.rounds === 1 ? '' : 's'}`)}`);
    const errs = c.arms.filter((a) => a.errors > 0);
    if (errs.length > 0 || c.scenario !== 'throughput') {
      sections.push(`<table><tr><th>arm</th><th>requests</th><th>errors</th><th>kinds</th></tr>${c.arms.map((a) => `<tr><td>${esc(a.label)}</td><td>${a.samples.reduce((s, x) => s + x.requests, 0)}</td><td>${a.errors}</td><td>${esc(JSON.stringify(mergeKinds(a)))}</td></tr>`).join('')}</table>`);
    }
  }
  if (r.baseline) {
    const rows = [r.baseline, ...(r.tuned ? [r.tuned] : [])];
    sections.push(`<h2>Numbers</h2><table><tr><th></th><th>req/s</th><th>spread ±</th><th>p50 ms</th><th>p99 ms</th><th>errors</th><th>nginx CPU ms/req</th><th>backend CPU ms/req</th></tr>${rows.map((a) => `<tr><td>${esc(a.label)}</td><td>${fmt(a.rps)}</td><td>${fmt(a.spread * 100, 1)}%</td><td>${fmt(a.p50, 2)}</td><td>${fmt(a.p99, 2)}</td><td>${a.errors}</td><td>${fmt(a.nginxCpuPerKReq, 3)}</td><td>${fmt(a.backendCpuPerKReq, 3)}</td></tr>`).join('')}</table>`);
  }
  sections.push(`<h2>Chosen</h2><p>${esc(r.chosen.label)}</p><ul>${r.chosen.changes.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>`);
  sections.push(`<h2>Patch</h2>${r.patch ? `<pre class="diff">${diffHtml(r.patch)}</pre>` : '<p>No change.</p>'}`);
  if (r.notes.length + r.advice.length > 0) sections.push(`<h2>Notes</h2><ul>${[...r.advice, ...r.notes].map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  sections.push(`<p class="meta">backend: ${esc(r.backend.description)}<br>host: ${r.host.cpus} cores, nginx ${esc(r.host.nginx)}; ${fmt(r.elapsedSec, 1)}s of a ${r.budgetSec}s budget</p>`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:820px;color:#222;padding:0 12px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}.big{font-size:18px}
svg{display:block;max-width:100%;height:auto;margin:6px 0}
svg .title{font-size:13px;fill:#444}svg .label{font-size:12px;fill:#222}svg .value{font-size:12px;fill:#222}
svg .tick{font-size:11px;fill:#666}svg .axis{stroke:#999}svg .grid{stroke:#e3e3e3}svg .whisker{stroke:#222;stroke-width:1.5}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
pre.diff{background:#f7f7f7;padding:10px;overflow:auto;font-size:12.5px}.add{color:#116611;background:#e6ffec}.del{color:#a00;background:#ffebe9}.hunk{color:#6f42c1}.hdr{font-weight:bold}
.meta{color:#666;font-size:12px}
</style></head><body>
<h1>${esc(title)}</h1>
${sections.join('\n')}
</body></html>
`;
}

function mergeKinds(a: ArmSummary): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of a.samples) for (const [k, n] of Object.entries(s.errorKinds)) out[k] = (out[k] ?? 0) + n;
  return out;
}
