// How people, times and days look: initials with a colour that is always the same for a username, the time of
// day with the full date on hover, and the labels of the day separators.
import { el } from './dom.js';

/** Colour classes (.av-0 … .av-9 in parley.css): each dark enough for white initials at AA contrast. */
const AVATAR_COLOURS = 10;

/** FNV-1a: the same name always gets the same colour, in every browser. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function initials(username: string): string {
  const parts = username.split(/[._-]+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0]![0]! + parts[1]![0]! : username.slice(0, 2);
  return letters.toUpperCase();
}

/** A decorative avatar: the name is always written beside it, so screen readers skip it. */
export function avatar(username: string, size: 'small' | 'large' = 'large'): HTMLSpanElement {
  return el('span', { className: `avatar av-${hash(username) % AVATAR_COLOURS} ${size}`, 'aria-hidden': 'true' }, initials(username));
}

const dayKeyOf = (date: Date) => `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;

export function dayKey(ts: number): string {
  return dayKeyOf(new Date(ts));
}

/** "Today", "Yesterday", "Monday, March 3", or with the year when it is not this year's. */
export function dayLabel(ts: number, now = new Date()): string {
  const date = new Date(ts);
  if (dayKeyOf(date) === dayKeyOf(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKeyOf(date) === dayKeyOf(yesterday)) return 'Yesterday';
  return date.toLocaleDateString(undefined, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    ...(date.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }),
  });
}

/**
 * `<time>`: the time of day, the full date and time on hover (and for machines, ISO 8601). `compact` drops the
 * AM/PM, for the narrow gutter of a grouped message (its title still says it all).
 */
export function timeElement(ts: number, compact = false): HTMLTimeElement {
  const date = new Date(ts);
  const parts = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).formatToParts(date);
  const text = compact
    ? parts
        .filter((part) => part.type !== 'dayPeriod')
        .map((part) => part.value)
        .join('')
        .trim()
    : parts.map((part) => part.value).join('');
  return el('time', { datetime: date.toISOString(), title: date.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'medium' }) }, text);
}
