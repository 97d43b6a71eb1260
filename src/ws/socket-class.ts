// The WebSocket class the server makes its sockets with. ws closes a socket itself when a frame announces more than
// maxPayload bytes (1009), and gives no reason: a client saw an empty reason where the close-code catalogue
// promises "frame too big". The reason is filled in here, the one place ws's own closes pass through.
import { CloseCodes } from 'parley-chat-protocol';
import WebSocket from 'ws';

export class ParleySocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    super.close(code, data ?? (code === CloseCodes.tooBig.code ? CloseCodes.tooBig.reason : undefined));
  }
}
