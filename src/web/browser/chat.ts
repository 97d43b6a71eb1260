// The chat page's script. The socket is authenticated by the HttpOnly cookie the login set; the server
// checks this page's Origin before the handshake. Text goes into the DOM as text, never as HTML.
interface MessageFrame {
  type: 'message';
  room: string;
  id: string;
  seq: number;
  user: string;
  body: string;
  ts: number;
}

const main = document.querySelector<HTMLElement>('main.chat')!;
const room = main.dataset.room!;
const list = document.querySelector<HTMLOListElement>('#messages')!;
const composer = document.querySelector<HTMLFormElement>('#composer')!;
const input = document.querySelector<HTMLInputElement>('#body')!;
const status = document.querySelector<HTMLElement>('#status')!;

/** The socket, once it has joined the room (sends before that wait in `pending`). */
let socket: WebSocket | undefined;
let lastSeq: number | undefined;
let retryMs = 500;
/** Sends not yet acked, re-sent by clientId after a reconnect (the server stores each clientId once). */
const pending = new Map<string, string>();

function clientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function show(message: MessageFrame): void {
  if (lastSeq !== undefined && message.seq <= lastSeq) return;
  lastSeq = message.seq;
  const item = document.createElement('li');
  item.dataset.seq = String(message.seq);
  const user = document.createElement('span');
  user.className = 'user';
  user.textContent = message.user;
  const body = document.createElement('span');
  body.className = 'body';
  body.textContent = message.body;
  const time = document.createElement('time');
  time.dateTime = new Date(message.ts).toISOString();
  time.textContent = new Date(message.ts).toLocaleTimeString();
  item.append(user, body, time);
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(item);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function connect(): void {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws.onopen = () => {
    retryMs = 500;
    ws.send(JSON.stringify(lastSeq === undefined ? { type: 'join', room } : { type: 'join', room, since: lastSeq }));
  };
  ws.onmessage = (event) => {
    const frame = JSON.parse(String(event.data));
    switch (frame.type) {
      case 'joined':
        socket = ws;
        status.textContent = `${frame.members.length} online`;
        for (const [id, body] of pending) ws.send(JSON.stringify({ type: 'send', room, body, clientId: id }));
        break;
      case 'message':
        show(frame);
        break;
      case 'ack':
        pending.delete(frame.clientId);
        break;
      case 'expiring':
        void refreshSocket(ws);
        break;
      case 'error':
        status.textContent = frame.message;
        break;
    }
  };
  ws.onclose = (event) => {
    socket = undefined;
    // 4001: the access token expired; 4003: revoked. Either way the login page gets a new one.
    if (event.code === 4001 || event.code === 4003) {
      location.assign('/login?next=/');
      return;
    }
    status.textContent = 'reconnecting…';
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };
}

/**
 * The token is about to expire: rotate the session through the refresh cookie (which also renews the access
 * cookie for the next reconnect) and hand the socket the new access token in-band. If that fails, the
 * server closes the socket with 4001 at expiry and the page goes to the login.
 */
async function refreshSocket(ws: WebSocket): Promise<void> {
  const response = await fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin' });
  if (!response.ok) return;
  const { access_token: token } = (await response.json()) as { access_token: string };
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'refresh', token }));
}

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const body = input.value.trim();
  if (!body) return;
  const id = clientId();
  pending.set(id, body);
  socket?.send(JSON.stringify({ type: 'send', room, body, clientId: id }));
  input.value = '';
});

connect();
