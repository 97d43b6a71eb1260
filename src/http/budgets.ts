// What one client may take of what everyone shares — buffered bytes, waiting frames, sockets, connections,
// time, password hashing, room creation. Each budget refuses where it is enforced (its own file); this counts the
// refusals by budget, so /metrics shows which budget is being hit and by how much.

export const BUDGETS = {
  /** A socket left more than PARLEY_WS_MAX_BUFFERED unread: closed 1013. */
  slow_consumer: 'unread bytes per socket',
  /** A socket that did not echo its ping, or read nothing of what waited for it, in a heartbeat interval. */
  dead_socket: 'heartbeat',
  /** More frames waiting to be handled on one socket than PARLEY_WS_MAX_PENDING_FRAMES / PARLEY_WS_MAX_PENDING. */
  pending_frames: 'frames waiting per socket',
  /** A handshake past PARLEY_MAX_SOCKETS_PER_USER. */
  sockets_per_user: 'sockets per user',
  /** A connection past PARLEY_MAX_CONNECTIONS_PER_ADDRESS. */
  connections_per_address: 'connections per address',
  /** A request or handshake past its deadline. */
  deadline: 'headers, body and handshake deadlines',
  /** A password check past PARLEY_HASH_QUEUE. */
  hash_queue: 'password hashes waiting',
  /** A room creation past PARLEY_ROOMS_PER_HOUR. */
  room_quota: 'rooms created per user per hour',
} as const;

export type BudgetName = keyof typeof BUDGETS;

export class BudgetRefusals {
  private readonly listeners: ((budget: BudgetName) => void)[] = [];

  refused(budget: BudgetName): void {
    for (const listener of this.listeners) listener(budget);
  }

  onRefused(listener: (budget: BudgetName) => void): void {
    this.listeners.push(listener);
  }
}
