// Every error a person can see, as a sentence: the one place where the catalogue's codes (and the SDK's own,
// `closed` and `left`) become words. The server's messages are written for developers ("join general first");
// the page says what happened and what to do, in terms of what the person was doing.
import { Limits, ROOM_NAME_RULE } from 'parley-chat-protocol/catalogue';

export type Action =
  | 'join'
  | 'send'
  | 'edit'
  | 'delete'
  | 'history'
  | 'create'
  | 'dm'
  | 'invite'
  | 'remove'
  | 'leave'
  | 'mute'
  | 'update'
  | 'archive'
  | 'search'
  | 'profile'
  | 'admin';

export interface Context {
  action?: Action;
  room?: string;
  user?: string;
}

/** The page's view of a failure: a coded one from the server or the SDK, or the network's. */
export function codeOf(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  if (error instanceof TypeError) return 'network'; // fetch could not reach the server
  return 'unknown';
}

export function sentence(error: unknown, context: Context = {}): string {
  const { action, user } = context;
  const room = context.room ? `#${context.room}` : 'this room';
  switch (codeOf(error)) {
    case 'forbidden':
      if (action === 'join' || action === 'history') return `${room} is private. Ask its owner to invite you.`;
      if (action === 'send') return `You cannot post in ${room}.`;
      if (action === 'edit') return 'Only the author can edit a message.';
      if (action === 'delete') return 'Only the author or a moderator of the room can delete this message.';
      if (action === 'invite') return 'Only the owner and the moderators of a room can invite people.';
      if (action === 'remove') return 'Only the owner and the moderators can remove people, and the owner cannot be removed.';
      if (action === 'leave') return context.room ? `You cannot leave ${room}: its owner stays (archive it instead).` : 'You cannot leave this room.';
      if (action === 'update') return 'Only the owner sets the title, and the owner and moderators the topic.';
      if (action === 'archive') return 'Only the owner can archive this room.';
      if (action === 'admin') return 'Admins cannot disable their own account.';
      return 'You are not allowed to do that.';
    case 'no_such_room':
      return `There is no room called ${room}.`;
    case 'no_such_user':
      return user ? `There is no one called ${user} here.` : 'There is no one by that name here.';
    case 'room_archived':
      return `${room} is archived: it can be read, but nothing more can be posted.`;
    case 'not_member':
      return `You are not a member of ${room}. Join it first.`;
    case 'insufficient_scope':
      return 'Your login does not allow that. Log out and in again, or ask an admin.';
    case 'room_exists':
      return `A room called ${room} already exists.`;
    case 'not_found':
      if (action === 'remove' && user) return `${user} is not a member of ${room}.`;
      if (action === 'edit' || action === 'delete') return 'That message no longer exists.';
      return 'That is no longer there.';
    case 'invalid_request':
    case 'invalid_frame':
      if (action === 'create') return ROOM_NAME_RULE;
      if (action === 'search') return 'Type a word or two to search for.';
      if (action === 'dm') return `A group message has at most ${Limits.dmMembersMax} people, you included.`;
      if (action === 'send' || action === 'edit') return `A message can be at most ${Limits.bodyLength} characters long.`;
      return 'Parley did not understand that request.';
    case 'not_joined':
    case 'left':
      return `You are no longer in ${room}.`;
    case 'too_many_requests':
      return 'Too many attempts. Wait a moment, then try again.';
    case 'unavailable':
      return 'The server is busy. Try again in a moment.';
    case 'internal':
      return 'Something went wrong on the server. Try again.';
    case 'closed':
    case 'invalid_token':
    case 'invalid_grant':
    case 'unauthorized':
      return 'Your session has ended. Log in again to go on.';
    case 'network':
      return 'Parley cannot be reached. Check your connection, then try again.';
    default:
      return 'That did not work. Try again.';
  }
}

export const removedFrom = (room: string) => `You were removed from #${room}.`;

/** Why a room left the list, said in the next room opened. */
export function goneFrom(room: string, reason: 'removed' | 'left' | 'archived', by?: string): string {
  if (reason === 'archived') return `#${room} was archived${by ? ` by ${by}` : ''}. Its history can still be found with search.`;
  if (reason === 'left') return `You left #${room}.`;
  return removedFrom(room);
}
