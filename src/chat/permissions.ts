// Who may do what in a room. Pure functions over the facts; the service gathers the facts and asks.
import type { Room } from '../store/store.js';
import type { ChatMessage, RoomRole } from './message.js';

export interface Actor {
  username: string;
  scopes: readonly string[];
}

const isAdmin = (actor: Actor) => actor.scopes.includes('admin');
const moderates = (role: RoomRole | undefined) => role === 'owner' || role === 'moderator';

/** Public rooms are open to everyone logged in; private rooms and DMs to their members (and admins). */
export function canJoin(room: Room, role: RoomRole | undefined, actor: Actor): boolean {
  return room.kind === 'public' || role !== undefined || isAdmin(actor);
}

/** Only the author edits a message. */
export function canEdit(message: ChatMessage, actor: Actor): boolean {
  return message.user === actor.username;
}

/** The author, the room's owner or moderators, or an admin anywhere. */
export function canDelete(message: ChatMessage, role: RoomRole | undefined, actor: Actor): boolean {
  return message.user === actor.username || moderates(role) || isAdmin(actor);
}

/** Owners and moderators invite and remove members; only the owner (or an admin) appoints moderators. */
export function canManageMembers(room: Room, role: RoomRole | undefined, actor: Actor, grantsRole: RoomRole): boolean {
  if (room.kind === 'dm') return false;
  if (isAdmin(actor) || role === 'owner') return grantsRole !== 'owner';
  return moderates(role) && grantsRole === 'member';
}

/** Anyone may leave; moderators remove members; nobody removes the owner. */
export function canRemove(room: Room, role: RoomRole | undefined, actor: Actor, target: string): boolean {
  if (target === room.owner) return false;
  return target === actor.username || moderates(role) || isAdmin(actor);
}
