/** A server under test once it listens. */
export interface Started {
  port: number;
  stop(): Promise<void>;
}
