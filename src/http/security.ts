// How protected operations declare themselves in the OpenAPI document. Either scheme will do: Swagger UI's
// "Authorize" with a username and password (the oauth2 password flow, as FastAPI users do it in /docs) then
// authorizes "Try it out", and so does a token pasted as bearer. The same declaration marks an operation as part
// of the bearer API, which web apps on PARLEY_ALLOWED_ORIGINS may call cross-origin (see cors.ts).
import { SCOPES, type Scope } from '../auth/principal.js';

const SCOPE_MEANINGS: Record<Scope, string> = {
  'chat:read': 'join rooms, read history and the room API',
  'chat:write': 'send, edit and delete messages; create and manage rooms',
  admin: 'moderate every room',
};

export const securitySchemes = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  oauth2: {
    type: 'oauth2',
    flows: { password: { tokenUrl: '/token', refreshUrl: '/token', scopes: Object.fromEntries(SCOPES.map((s) => [s, SCOPE_MEANINGS[s]])) } },
  },
  // The scraper's token for /metrics: a bearer token too, but not a user's — and not part of the API web apps call.
  metrics: { type: 'http', scheme: 'bearer', description: 'PARLEY_METRICS_TOKEN' },
} as const;

export type SecurityRequirement = Record<string, string[]>[];

/** An operation that takes a bearer token holding these scopes. */
export function protectedBy(...scopes: Scope[]): SecurityRequirement {
  return [{ oauth2: scopes }, { bearer: [] }];
}

/** Whether an operation declared itself protected by a bearer token. */
export function takesBearer(security: unknown): boolean {
  return Array.isArray(security) && security.some((requirement) => requirement && typeof requirement === 'object' && 'bearer' in requirement);
}
