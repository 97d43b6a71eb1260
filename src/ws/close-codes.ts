// Every way the server ends a socket, named once (after Hocuspocus' CloseEvents). Reasons are short:
// a close frame's reason must fit in 123 bytes.
export interface CloseEvent {
  code: number;
  reason: string;
}

export const CloseEvents = {
  shuttingDown: { code: 1001, reason: 'server shutting down' },
  unsupportedData: { code: 1003, reason: 'text frames only' },
  policy: { code: 1008, reason: 'policy violation' },
  badFrame: { code: 1008, reason: 'frames must be JSON text objects' },
  tooBig: { code: 1009, reason: 'frame too big' },
  slowConsumer: { code: 1013, reason: 'slow consumer: too much unread data' },
  tokenExpired: { code: 4001, reason: 'token expired' },
  tokenRevoked: { code: 4003, reason: 'token revoked' },
  rateLimited: { code: 4029, reason: 'rate limited' },
} as const satisfies Record<string, CloseEvent>;
