// `@username` in a message body. A mention starts a word (so `ann@example.com` mentions nobody) and names a
// username in any case; a trailing `.` or `-` (the end of a sentence) is tried both with and without. Which of the
// names are people who may read the room is the store's answer; this file only reads text.
import { Limits } from 'parley-chat-protocol';

const MENTION = /(?<![\p{L}\p{N}_.@-])@([a-z0-9_.-]{2,33})/giu;

/** Every name the body might mention (lowercased), in order of appearance, each once. */
export function mentionCandidates(body: string): string[] {
  if (!body.includes('@')) return [];
  const names = new Set<string>();
  for (const match of body.matchAll(MENTION)) {
    const raw = match[1]!.toLowerCase();
    names.add(raw);
    const trimmed = raw.replace(/[.-]+$/, '');
    if (trimmed !== raw && trimmed.length > 0) names.add(trimmed);
    if (names.size >= Limits.mentionsMax * 2) break;
  }
  return [...names];
}

/** The mentions of `body`, given which candidates are people who may read the room: each once, at most the limit. */
export function resolveMentions(body: string, people: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const match of body.matchAll(MENTION)) {
    const raw = match[1]!.toLowerCase();
    const name = people.has(raw) ? raw : raw.replace(/[.-]+$/, '');
    if (people.has(name)) found.add(name);
    if (found.size >= Limits.mentionsMax) break;
  }
  return [...found];
}
