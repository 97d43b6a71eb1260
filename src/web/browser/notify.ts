// Telling the person something arrived while they were not looking: the unread count in the tab's title, a
// desktop notification (asked for with a button, never on page load) and an optional sound (off by default).
// What deserves a notification is decided by the caller: mentions (always, even in a muted room: the server's
// mentions are direct ones) and direct messages (not in a muted DM), never what is in plain sight.
import { $ } from './dom.js';

interface Prefs {
  notifications: boolean;
  sound: boolean;
}

export class Notifier {
  private prefs: Prefs;
  private audio: AudioContext | undefined;

  constructor(
    private readonly key: string,
    private readonly onOpen: (room: string) => void,
  ) {
    this.prefs = { notifications: false, sound: false, ...(JSON.parse(localStorage.getItem(key) ?? '{}') as Partial<Prefs>) };
    const notifyButton = $<HTMLButtonElement>('#notify-toggle');
    const soundButton = $<HTMLButtonElement>('#sound-toggle');
    if (!('Notification' in window)) notifyButton.hidden = true;
    notifyButton.addEventListener('click', () => void this.toggleNotifications());
    soundButton.addEventListener('click', () => this.toggleSound());
    this.show();
  }

  /** The tab's title: `(3) #general · Parley`, and with mentions waiting `(3 · @1) #general · Parley`. */
  title(unread: number, mentions: number, where: string): void {
    const count = mentions > 0 ? `(${unread} · @${mentions}) ` : unread > 0 ? `(${unread}) ` : '';
    document.title = `${count}${where} · Parley`;
  }

  /** A message worth interrupting for arrived (the caller has checked it is not in plain sight). */
  alert(o: { room: string; title: string; body: string }): void {
    if (this.prefs.sound) this.beep();
    if (!this.prefs.notifications || !('Notification' in window) || Notification.permission !== 'granted') return;
    const notification = new Notification(o.title, { body: o.body.slice(0, 200), tag: `parley:${o.room}` });
    notification.addEventListener('click', () => {
      window.focus();
      this.onOpen(o.room);
      notification.close();
    });
  }

  private async toggleNotifications(): Promise<void> {
    if (this.prefs.notifications) {
      this.prefs.notifications = false;
    } else {
      // Asked for here, in answer to the click: browsers ignore (or punish) a request made on page load.
      const permission = await Notification.requestPermission();
      this.prefs.notifications = permission === 'granted';
    }
    this.save();
  }

  private toggleSound(): void {
    this.prefs.sound = !this.prefs.sound;
    // Created in the click: browsers only let a page start audio after a gesture.
    if (this.prefs.sound) void (this.audio ??= new AudioContext()).resume();
    this.save();
  }

  /** A short two-tone chime, synthesised (no audio file to fetch). */
  private beep(): void {
    const audio = (this.audio ??= new AudioContext());
    if (audio.state !== 'running') return;
    const at = audio.currentTime;
    for (const [offset, frequency] of [
      [0, 880],
      [0.12, 1320],
    ] as const) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at + offset);
      gain.gain.exponentialRampToValueAtTime(0.15, at + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + offset + 0.25);
      tone.connect(gain).connect(audio.destination);
      tone.start(at + offset);
      tone.stop(at + offset + 0.3);
    }
  }

  private save(): void {
    localStorage.setItem(this.key, JSON.stringify(this.prefs));
    this.show();
  }

  private show(): void {
    const denied = 'Notification' in window && Notification.permission === 'denied';
    const notifyButton = $<HTMLButtonElement>('#notify-toggle');
    const on = this.prefs.notifications && !denied;
    notifyButton.setAttribute('aria-pressed', String(on));
    notifyButton.title = denied
      ? 'Notifications are blocked for this site in the browser’s settings'
      : 'Desktop notifications for mentions and direct messages';
    $<HTMLButtonElement>('#sound-toggle').setAttribute('aria-pressed', String(this.prefs.sound));
  }
}
