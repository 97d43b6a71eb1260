// Read-only room API for bearer clients: the room list and paged history.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { authGate } from '../auth/gate.js';
import type { Store } from '../store/store.js';

const Message = Type.Object({
  room: Type.String(),
  id: Type.String(),
  seq: Type.Integer(),
  user: Type.String(),
  body: Type.String(),
  ts: Type.Integer(),
});
const ErrorBody = Type.Object({ error: Type.String(), error_description: Type.String() });

export async function roomRoutes(app: FastifyInstance, options: { store: Store; authenticator: Authenticator }) {
  const { store } = options;
  app.addHook('preValidation', authGate(options.authenticator, { cookie: false, handshake: false, scope: 'chat:read' }));

  app.get(
    '/rooms',
    {
      schema: {
        tags: ['rooms'],
        summary: 'Rooms and their latest seq',
        security: [{ bearer: [] }],
        response: { 200: Type.Array(Type.Object({ name: Type.String(), last_seq: Type.Integer() })), 401: ErrorBody },
      },
    },
    async () => (await store.listRooms()).map((room) => ({ name: room.name, last_seq: room.lastSeq })),
  );

  app.get(
    '/rooms/:room/messages',
    {
      schema: {
        tags: ['rooms'],
        summary: 'A page of history, oldest first: the `limit` messages before seq `before` (default: the newest)',
        security: [{ bearer: [] }],
        params: Type.Object({ room: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' }) }),
        querystring: Type.Object({
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
        }),
        response: { 200: Type.Array(Message), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { room } = request.params as { room: string };
      const { before, limit } = request.query as { before?: number; limit?: number };
      if (!(await store.findRoom(room))) {
        return reply.code(404).send({ error: 'no_such_room', error_description: `no room named ${room}` });
      }
      return store.messagesBefore(room, before, limit ?? 50);
    },
  );
}
