// The URL clients reach this server by. It is the OAuth2 issuer (RFC 8414 metadata and the `iss` of every token)
// and the base of the endpoints the metadata lists, so it must be one that answers: PARLEY_PUBLIC_URL when set
// (behind a proxy, or several nodes behind one name); otherwise the address the server actually listens on, so
// that port 0 gives the real port and a wildcard host a loopback address.
import type { AddressInfo } from 'node:net';

const WILDCARDS: Record<string, string> = { '0.0.0.0': '127.0.0.1', '::': '::1', '': '127.0.0.1' };

export class PublicUrl {
  private settled: string | undefined;

  constructor(
    private readonly configured: string | undefined,
    private readonly listen: { host: string; port: number },
    /** The server's bound address once it listens (`server.address()`), null before. */
    private readonly bound: () => AddressInfo | string | null,
  ) {}

  /** True when the URL comes from the listen address of this one process (no PARLEY_PUBLIC_URL). */
  get derived(): boolean {
    return this.configured === undefined;
  }

  get value(): string {
    if (this.configured) return this.configured;
    if (this.settled) return this.settled;
    const address = this.bound();
    // Before listening (app.inject) the configured port is the best there is; it is not remembered.
    if (address === null || typeof address === 'string') return originOf(this.listen.host, this.listen.port);
    return (this.settled = originOf(this.listen.host, address.port));
  }
}

function originOf(host: string, port: number): string {
  const name = WILDCARDS[host] ?? host;
  return new URL(`http://${name.includes(':') ? `[${name}]` : name}:${port}`).origin;
}

/** Whether the host listens on every interface, where no single URL is known to reach it. */
export function isWildcard(host: string): boolean {
  return host in WILDCARDS;
}
