// /readyz as a load balancer's health checker sees it: a fresh connection per probe (no keep-alive, so a node
// that stopped accepting connections cannot answer through an old one), and a timeout (a probe that hangs is
// a failed probe, not a wait).
import http from 'node:http';

export interface Probe {
  node: number;
  /** When the probe was sent. */
  at: number;
  /** The HTTP status, or what went wrong instead. */
  status: number | 'timeout' | 'refused' | 'error';
  /** Whether the body parsed as a JSON object. */
  json: boolean;
}

export function readyz(baseUrl: string, timeoutMs: number): Promise<Omit<Probe, 'node' | 'at'>> {
  return new Promise((resolve) => {
    const request = http.get(`${baseUrl}/readyz`, { agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: isJsonObject(body) }));
      response.on('error', () => resolve({ status: 'error', json: false }));
    });
    request.on('timeout', () => {
      request.destroy();
      resolve({ status: 'timeout', json: false });
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ status: error.code === 'ECONNREFUSED' ? 'refused' : 'error', json: false }));
  });
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Probes every node every `everyMs` (each probe given 2 s) until stopped; the probes are kept for the assertions. */
export class ReadyWatch {
  readonly probes: Probe[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly urls: () => string[]) {}

  start(everyMs = 100): void {
    const round = () => {
      this.urls().forEach((url, node) => {
        const at = Date.now();
        void readyz(url, 2000).then((result) => this.probes.push({ node, at, ...result }));
      });
    };
    this.timer = setInterval(round, everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Probes of the given nodes sent within [from, to]. */
  between(from: number, to: number, nodes?: number[]): Probe[] {
    return this.probes.filter((p) => p.at >= from && p.at <= to && (!nodes || nodes.includes(p.node)));
  }
}

/** Whether a probe is the "not ready" a load balancer can act on: 503 with a JSON body. */
export const unavailable = (probe: Probe) => probe.status === 503 && probe.json;

/** A compact tally of probes, for messages: `200×12 503×3 timeout×1`. */
export function tally(probes: Probe[]): string {
  const counts = new Map<string, number>();
  for (const p of probes) {
    const key = `${p.status}${p.status === 503 && !p.json ? '(no json)' : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, v]) => `${k}×${v}`).join(' ') || 'none';
}
