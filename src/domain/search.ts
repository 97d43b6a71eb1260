// Searching messages: the question and the answers, as chat/ asks and the store engines answer.

export interface SearchQuery {
  /** What a person typed: words, all of which must occur (stemmed); never query syntax. */
  text: string;
  /** Whose rooms: the public ones and the ones they belong to. */
  username: string;
  /** Every room, whoever's (an admin). */
  everywhere?: boolean;
  /** Only this room. */
  room?: string;
  /** Only messages sent before this time (ms since the epoch). */
  before?: number;
  limit: number;
}

export interface FoundMessage {
  room: string;
  id: string;
  seq: number;
  user: string;
  ts: number;
  /** The matching part of the text, each match between SearchMarks.open and SearchMarks.close. */
  snippet: string;
}
