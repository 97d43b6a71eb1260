// Presence in one process. Several servers in one process (the in-process cluster tests) may share one
// `Registry`; each server gets its own view with its node id. Nothing expires here: a process that dies takes
// the whole registry with it.

/** room → user → the nodes that have the user in the room. */
export type Registry = Map<string, Map<string, Set<string>>>;

export class MemoryPresence {
  constructor(
    private readonly node: string,
    private readonly registry: Registry = new Map(),
  ) {}

  async arrive(room: string, user: string): Promise<boolean> {
    let users = this.registry.get(room);
    if (!users) this.registry.set(room, (users = new Map()));
    let nodes = users.get(user);
    if (!nodes) users.set(user, (nodes = new Set()));
    const alone = [...nodes].every((node) => node === this.node);
    nodes.add(this.node);
    return alone;
  }

  async depart(room: string, user: string): Promise<boolean> {
    const users = this.registry.get(room);
    const nodes = users?.get(user);
    if (!users || !nodes) return true;
    nodes.delete(this.node);
    if (nodes.size > 0) return false;
    users.delete(user);
    if (users.size === 0) this.registry.delete(room);
    return true;
  }

  async online(room: string): Promise<string[]> {
    return [...(this.registry.get(room)?.keys() ?? [])].sort();
  }

  async heartbeat(): Promise<{ room: string; user: string }[]> {
    return [];
  }
}
