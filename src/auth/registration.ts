// Whether `/register` takes new accounts: a run-time setting in the database, so every node agrees and an admin
// changes it without a restart; until one does, PARLEY_REGISTRATION decides. Pages read `open` synchronously; a
// hook refreshes it from the database before each request to them (server.ts).
export interface SettingStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

const KEY = 'registration';

export class Registration {
  private current: boolean;

  constructor(
    private readonly settings: SettingStore,
    private readonly fallback: 'open' | 'closed',
  ) {
    this.current = fallback === 'open';
  }

  /** As of the last `refresh` or `set`. */
  get open(): boolean {
    return this.current;
  }

  async refresh(): Promise<boolean> {
    this.current = ((await this.settings.get(KEY)) ?? this.fallback) === 'open';
    return this.current;
  }

  async set(open: boolean): Promise<void> {
    await this.settings.set(KEY, open ? 'open' : 'closed');
    this.current = open;
  }
}
