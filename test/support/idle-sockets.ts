// A process that holds idle chat sockets, so a test can look at the server's heap without its clients in it.
// It logs in itself: the token exists in this process, and in the server only as long as the server keeps it.
// Forked with: url, username, password, count. Says {ready} over IPC; answers 'token' with its token; exits on 'stop'.
import WebSocket from 'ws';

const [url, username, password, count] = process.argv.slice(2) as [string, string, string, string];
const response = await fetch(`${url}/token`, { method: 'POST', body: new URLSearchParams({ username, password }) });
const { access_token: token } = (await response.json()) as { access_token: string };
const sockets: WebSocket[] = [];
for (let i = 0; i < Number(count); i++) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
  sockets.push(ws);
  // Opened and welcomed: the server has done all it does for an idle socket.
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
}
process.send!({ ready: true });
process.on('message', (message) => {
  if (message === 'token') process.send!({ token });
  if (message === 'stop') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
