// The one results file: everything the report (and a later before/after comparison) needs, runs included.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaseResult } from './scenarios/common.js';

export interface ResultsFile {
  date: string;
  node: string;
  bun?: string;
  cpus: number;
  cpuModel?: string;
  pinned: boolean;
  quick: boolean;
  rounds: number;
  elapsedSeconds: number;
  cases: CaseResult[];
}

/** bench/results/latest.json (quick runs write quick.json beside it, so they never replace a full run). */
export function resultsPath(quick: boolean): string {
  return fileURLToPath(new URL(`../../bench/results/${quick ? 'quick' : 'latest'}.json`, import.meta.url));
}

export function readResults(file: string): ResultsFile | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ResultsFile>;
    // The previous harness wrote another shape (rows); it is not merged into this one.
    return Array.isArray(parsed.cases) ? (parsed as ResultsFile) : undefined;
  } catch {
    return undefined;
  }
}

export function writeResults(file: string, results: ResultsFile): void {
  const round = (_key: string, value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(4)) : value;
  fs.mkdirSync(new URL('.', `file://${file}`), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(results, round, 2)}\n`);
}
