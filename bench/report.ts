// Markdown from bench/results/latest.json: `node dist/bench/report.js [FILE] [--readme]`. With --readme it
// rewrites the block between <!-- bench:start --> and <!-- bench:end --> in README.md. Ratios first:
// on 2 shared cores the absolute numbers move from run to run, the ratios much less.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ResultsFile, readResults, resultsPath } from './results.js';
import type { CaseResult, Metric } from './scenarios/common.js';

const num = (x: number | undefined): string => {
  if (x === undefined || !Number.isFinite(x)) return 'n/a';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toPrecision(2);
};

/** A latency past the delivered fraction is a lower bound (undelivered messages count as "at least the grace"). */
function value(c: CaseResult, column: string, metric: Metric): string {
  const median = c.columns[column]?.median;
  if (!median) return 'n/a';
  const x = median[metric.key];
  if (metric.key === 'delivered') return `${((x ?? NaN) * 100).toFixed(1)}%`;
  const delivered = median.delivered;
  const bound = delivered !== undefined && ((metric.key === 'p99Ms' && delivered < 0.99) || (metric.key === 'p50Ms' && delivered < 0.5));
  return `${bound ? '≥ ' : ''}${num(x)}`;
}

function ratio(c: CaseResult, column: string, metric: Metric): string {
  const a = c.columns[c.subject]?.median[metric.key];
  const b = c.columns[column]?.median[metric.key];
  if (metric.better === 'info' || a === undefined || b === undefined || !b) return '';
  return `**${(a / b).toFixed(2)}×** `;
}

function table(cases: CaseResult[]): string {
  const others = [...new Set(cases.flatMap((c) => Object.keys(c.columns).filter((k) => k !== c.subject)))];
  const first = cases[0]!;
  const subjectLabel = first.columns[first.subject]?.label ?? first.subject;
  const otherLabel = (k: string) => cases.map((c) => c.columns[k]?.label).find(Boolean) ?? k;
  const head = ['scenario', 'metric', subjectLabel, ...others.map((k) => `${subjectLabel} / ${otherLabel(k)} (${otherLabel(k)})`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const c of cases) {
    // Other processes' CPU is summarised under the table, not given a row per case.
    c.metrics
      .filter((m) => m.key !== 'others')
      .forEach((metric, i) => {
        const cells = [i === 0 ? c.title : '', metric.label, value(c, c.subject, metric)];
        for (const k of others) cells.push(c.columns[k] ? `${ratio(c, k, metric)}(${value(c, k, metric)})` : c.skipped?.[k] ? 'skipped' : '');
        lines.push(`| ${cells.join(' | ')} |`);
      });
  }
  return lines.join('\n');
}

export function markdown(results: ResultsFile): string {
  const versus = results.cases.filter((c) => c.subject === 'parley');
  const own = results.cases.filter((c) => c.subject !== 'parley');
  const parts: string[] = [];
  if (versus.length) parts.push(table(versus));
  for (const c of own) parts.push(table([c]));
  const skipped = new Map<string, string>();
  for (const c of results.cases) for (const [k, why] of Object.entries(c.skipped ?? {})) skipped.set(k, why);
  const notes = [...new Set(results.cases.flatMap((c) => c.notes ?? []))];
  // Runs measured by different versions of the bench may label (and compute) this differently: one line per label.
  const byLabel = new Map<string, number[]>();
  for (const c of results.cases) {
    const label = c.metrics.find((m) => m.key === 'others')?.label;
    if (!label) continue;
    for (const col of Object.values(c.columns))
      for (const r of col.runs) if (r.others !== undefined) byLabel.set(label, [...(byLabel.get(label) ?? []), r.others]);
  }
  const disturbed = results.cases.flatMap((c) => Object.values(c.columns)).reduce((n, col) => n + (col.disturbed ?? 0), 0);
  const runs = results.cases.flatMap((c) => Object.values(c.columns)).reduce((n, col) => n + col.runs.length, 0);
  if (disturbed)
    notes.push(
      `${disturbed} of ${runs} runs were disturbed (other processes took ≥ 0.5 cores); medians leave them out where a column has a clean run`,
    );
  for (const [label, values] of byLabel) {
    const sorted = [...values].sort((a, b) => a - b);
    notes.push(
      `${label}, on this shared machine: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}, at most ${sorted.at(-1)!.toFixed(2)} ` +
        'during a measured run (each run first waits up to 4 s for a quiet moment); per run in the JSON',
    );
  }
  parts.push(
    [
      `${results.cpus} × ${results.cpuModel ?? 'CPU'}, Node ${results.node}${results.bun ? `, Bun ${results.bun}` : ''}; ` +
        `${results.pinned ? 'servers pinned to core 0, load generator to core 1' : 'not pinned'}; ` +
        `medians of ${results.rounds} interleaved round(s)${results.quick ? ' (quick mode)' : ''}; ${results.date.slice(0, 10)}.`,
      'Cells: Parley\'s value, then **Parley ÷ peer** with the peer\'s value in brackets. "≥": some messages were never ' +
        'delivered within the grace period and count as that late. Parley stores every chat message durably (SQLite, ' +
        'synchronous=FULL, group commit) before it broadcasts it; the peers relay from memory. Every peer verifies the same ' +
        'HS256 JWT (jose: signature, issuer, audience, exp) on its handshake; Parley also looks up the user and the revocation list.',
      ...notes.map((n) => `- ${n}`),
      ...[...skipped].map(([k, why]) => `- ${k} skipped: ${why}`),
    ].join('\n'),
  );
  return `${parts.join('\n\n')}\n`;
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--')) ?? resultsPath(false);
  const results = readResults(file);
  if (!results) throw new Error(`${file}: no results in this format (run npm run bench)`);
  const text = markdown(results);
  if (!args.includes('--readme')) return void process.stdout.write(text);
  const readme = fileURLToPath(new URL('../../README.md', import.meta.url));
  const current = fs.readFileSync(readme, 'utf8');
  const block = /<!-- bench:start -->[\s\S]*?<!-- bench:end -->/;
  if (!block.test(current)) throw new Error('README.md has no <!-- bench:start --> … <!-- bench:end --> block');
  fs.writeFileSync(
    readme,
    current.replace(block, () => `<!-- bench:start -->\n${text}<!-- bench:end -->`),
  );
  console.log(`README.md: performance block rewritten from ${file}`);
}

// Run as a script, not when run.ts imports markdown().
if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) main();
