// The HTTP API from a client, typed by the protocol's REST schemas: rooms (yours with unread counts, or public
// ones to browse), DMs, membership, room settings, history, search, the people directory, your profile, and the
// admin calls. Plain fetch, so it runs in browsers (the page's cookie) and Node (a bearer token) alike.
import type {
  AdminUser,
  CreateRoom,
  DirectoryUser,
  Me,
  Member,
  Message,
  Room,
  SearchHit,
  ServerSettings,
  UpdateMe,
  UpdateRoom,
} from 'parley-chat-protocol';
import { ParleyError } from './errors.js';

export interface ApiOptions {
  /** The server, or the servers of one cluster (tried in turn while one cannot answer). Default: the page's origin. */
  url?: string | readonly string[];
  /** A bearer token; without one (and without `getToken`) requests carry the browser's cookie. */
  token?: string;
  /** A fresh access token: asked for when there is none yet, and once after a 401. */
  getToken?: () => Promise<string>;
}

export interface SearchOptions {
  /** Only this room. */
  room?: string;
  /** Only messages sent before this time (ms since the epoch). */
  before?: number;
  /** At most this many, 1–50 (default 20). */
  limit?: number;
}

type Query = Record<string, string | number | undefined>;

export class ParleyApi {
  private readonly bases: readonly string[];
  private token: string | undefined;

  constructor(private readonly options: ApiOptions = {}) {
    const origin = (globalThis as { location?: { origin: string } }).location?.origin;
    this.bases = options.url === undefined ? (origin ? [origin] : []) : typeof options.url === 'string' ? [options.url] : [...options.url];
    if (this.bases.length === 0) throw new TypeError('ParleyApi needs a url');
    this.token = options.token;
  }

  /** Your rooms with `unread`, `mentions` and `read_seq` (default), or every public room (`'public'`). */
  rooms(scope: 'mine' | 'public' = 'mine'): Promise<Room[]> {
    return this.request('GET', '/rooms', { query: { scope } });
  }

  createRoom(room: CreateRoom): Promise<Room> {
    return this.request('POST', '/rooms', { body: room });
  }

  /** The DM with one user, or a group DM (up to 8 people, you included): the same people find the same room. */
  openDm(users: string | readonly string[]): Promise<Room> {
    return this.request('POST', '/dms', { body: typeof users === 'string' ? { user: users } : { users } });
  }

  /** Makes a public room yours. */
  joinRoom(room: string): Promise<Room> {
    return this.request('POST', `/rooms/${encodeURIComponent(room)}/join`);
  }

  leaveRoom(room: string): Promise<void> {
    return this.request('POST', `/rooms/${encodeURIComponent(room)}/leave`);
  }

  /** Title, topic, archived (owner; topic also moderators). */
  updateRoom(room: string, change: UpdateRoom): Promise<Room> {
    return this.request('PATCH', `/rooms/${encodeURIComponent(room)}`, { body: change });
  }

  setMuted(room: string, muted: boolean): Promise<{ muted: boolean }> {
    return this.request('PUT', `/rooms/${encodeURIComponent(room)}/settings`, { body: { muted } });
  }

  members(room: string): Promise<Member[]> {
    return this.request('GET', `/rooms/${encodeURIComponent(room)}/members`);
  }

  invite(room: string, username: string, role: 'member' | 'moderator' = 'member'): Promise<Member> {
    return this.request('PUT', `/rooms/${encodeURIComponent(room)}/members/${encodeURIComponent(username)}`, { body: { role } });
  }

  removeMember(room: string, username: string): Promise<void> {
    return this.request('DELETE', `/rooms/${encodeURIComponent(room)}/members/${encodeURIComponent(username)}`);
  }

  history(room: string, options: { before?: number; limit?: number } = {}): Promise<Message[]> {
    return this.request('GET', `/rooms/${encodeURIComponent(room)}/messages`, { query: options });
  }

  /** Messages in every room you may read, best matches first; each hit has the `seq` to jump to. */
  search(q: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    return this.request('GET', '/search', { query: { q, ...options } });
  }

  /** People whose username or display name starts with `q` (for autocomplete). */
  users(q: string, limit?: number): Promise<DirectoryUser[]> {
    return this.request('GET', '/users', { query: { q, limit } });
  }

  me(): Promise<Me> {
    return this.request('GET', '/users/me');
  }

  updateMe(change: UpdateMe): Promise<Me> {
    return this.request('PATCH', '/users/me', { body: change });
  }

  /** The `admin` scope's calls. */
  readonly admin = {
    users: (): Promise<AdminUser[]> => this.request('GET', '/admin/users'),
    setDisabled: (username: string, disabled: boolean): Promise<AdminUser> =>
      this.request('PATCH', `/admin/users/${encodeURIComponent(username)}`, { body: { disabled } }),
    settings: (): Promise<ServerSettings> => this.request('GET', '/admin/settings'),
    setRegistration: (registration: ServerSettings['registration']): Promise<ServerSettings> =>
      this.request('PATCH', '/admin/settings', { body: { registration } }),
  };

  /**
   * One call: the servers in turn while one cannot answer (the network, a 5xx), a new token once after a 401.
   * A refusal rejects with ParleyError (the catalogue's code and the server's sentence).
   */
  private async request<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
    if (this.token === undefined && this.options.getToken) this.token = await this.options.getToken();
    for (let renewed = false; ; renewed = true) {
      const response = await this.send(method, path, options);
      if (response.status === 401 && this.options.getToken && !renewed) {
        this.token = await this.options.getToken();
        continue;
      }
      if (response.status === 204) return undefined as T;
      const body = (await response.json().catch(() => undefined)) as { error?: string; error_description?: string } | undefined;
      if (response.ok) return body as T;
      throw new ParleyError(body?.error ?? 'internal', body?.error_description ?? `${method} ${path} answered ${response.status}`);
    }
  }

  private async send(method: string, path: string, options: { query?: Query; body?: unknown }): Promise<Response> {
    let failure: unknown = new Error('no server to ask');
    for (const base of this.bases) {
      const url = new URL(path, base);
      for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
      try {
        const response = await fetch(url, {
          method,
          headers: {
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
            ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
          ...(this.token ? {} : { credentials: 'same-origin' as const }),
        });
        if (response.status < 500) return response;
        failure = new ParleyError('unavailable', `${method} ${path} answered ${response.status}`);
      } catch (error) {
        failure = error;
      }
    }
    throw failure instanceof ParleyError ? failure : new ParleyError('unavailable', `${method} ${path} failed: ${(failure as Error).message}`);
  }
}
