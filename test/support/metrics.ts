// /metrics as a scraper reads it: with the bearer token the server is given as PARLEY_METRICS_TOKEN (servers that
// serve /metrics to anyone ignore both).
export const METRICS_TOKEN = 'test-metrics-token-0123456789';
export const METRICS_ENV = { PARLEY_METRICS_TOKEN: METRICS_TOKEN };

export async function metricsText(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  if (response.status !== 200) throw new Error(`GET /metrics: ${response.status} ${await response.text()}`);
  return response.text();
}

/** One series' value (0 when absent). */
export async function metric(url: string, series: string): Promise<number> {
  const line = (await metricsText(url)).split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** How often a budget refused someone: `parley_budget_refusals_total{budget}`. */
export const budgetRefusals = (url: string, budget: string) => metric(url, `parley_budget_refusals_total{budget="${budget}"}`);
