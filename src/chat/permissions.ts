// Who may do what in a room. Pure functions over the facts (the acting principal's scopes, the room, their
// role in it); the service gathers the facts and asks, and throws the refusal.
import type { StoredEntry } from '../domain/entries.js';
import type { Room, RoomRole } from '../domain/rooms.js';

export interface Actor {
  username: string;
  scopes: readonly string[];
}

const isAdmin = (actor: Actor) => actor.scopes.includes('admin');
const moderates = (role: RoomRole | undefined) => role === 'owner' || role === 'moderator';

/** The token allows reading (join, history) at all. */
export const canReadAnything = (actor: Actor) => actor.scopes.includes('chat:read');
/** The token allows writing (send, edit, delete, typing, rooms, membership) at all. */
export const canWriteAnything = (actor: Actor) => actor.scopes.includes('chat:write');

/** Public rooms are open to everyone logged in; private rooms and DMs to their members (and admins). */
export function canRead(room: Room, role: RoomRole | undefined, actor: Actor): boolean {
  return canReadAnything(actor) && (room.kind === 'public' || role !== undefined || isAdmin(actor));
}

/** Whoever may read a room may post in it, given the write scope. */
export function canPost(room: Room, role: RoomRole | undefined, actor: Actor): boolean {
  return canWriteAnything(actor) && canRead(room, role, actor);
}

/** Only the author edits a message. */
export function canEdit(message: StoredEntry, actor: Actor): boolean {
  return canWriteAnything(actor) && message.user === actor.username;
}

/** The author, the room's owner or moderators, or an admin anywhere. */
export function canDelete(message: StoredEntry, role: RoomRole | undefined, actor: Actor): boolean {
  return canWriteAnything(actor) && (message.user === actor.username || moderates(role) || isAdmin(actor));
}

/** Owners and moderators invite and remove members; only the owner (or an admin) appoints moderators. */
export function canManageMembers(room: Room, role: RoomRole | undefined, actor: Actor, grantsRole: RoomRole): boolean {
  if (room.kind === 'dm' || !canWriteAnything(actor)) return false;
  if (isAdmin(actor) || role === 'owner') return grantsRole !== 'owner';
  return moderates(role) && grantsRole === 'member';
}

/** Anyone may leave; moderators remove members; nobody removes the owner. */
export function canRemove(room: Room, role: RoomRole | undefined, actor: Actor, target: string): boolean {
  if (target === room.owner || !canWriteAnything(actor)) return false;
  return target === actor.username || moderates(role) || isAdmin(actor);
}

/** The owner (or an admin) renames (sets the title of) and archives a room; DMs have neither. */
export function canRename(room: Room, role: RoomRole | undefined, actor: Actor): boolean {
  return room.kind !== 'dm' && canWriteAnything(actor) && (role === 'owner' || isAdmin(actor));
}

/** The owner and moderators (or an admin) set the topic; DMs have none. */
export function canSetTopic(room: Room, role: RoomRole | undefined, actor: Actor): boolean {
  return room.kind !== 'dm' && canWriteAnything(actor) && (moderates(role) || isAdmin(actor));
}

/** Anyone may make a public room theirs; private rooms take an invitation, DMs are fixed. */
export function canJoin(room: Room, actor: Actor): boolean {
  return room.kind === 'public' && canReadAnything(actor);
}

/** Search covers every room the actor may read: an admin's (with the admin scope) is every room. */
export const searchesEverywhere = (actor: Actor) => canReadAnything(actor) && isAdmin(actor);
