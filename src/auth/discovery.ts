// RFC 8414 authorization-server metadata, so that OAuth2 libraries (oauth4webapi, openid-client, Authlib …) find
// the token and revocation endpoints by discovery. Parley issues no ID tokens, so there is deliberately no
// /.well-known/openid-configuration: an OpenID client must be told to use plain OAuth2 discovery.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { PublicUrl } from '../http/public-url.js';
import { SCOPES } from './principal.js';

const Metadata = Type.Object({
  issuer: Type.String(),
  token_endpoint: Type.String(),
  revocation_endpoint: Type.String(),
  grant_types_supported: Type.Array(Type.String()),
  token_endpoint_auth_methods_supported: Type.Array(Type.String()),
  revocation_endpoint_auth_methods_supported: Type.Array(Type.String()),
  scopes_supported: Type.Array(Type.String()),
  response_types_supported: Type.Array(Type.String()),
  service_documentation: Type.String(),
});

export const METADATA_PATH = '/.well-known/oauth-authorization-server';

export async function discoveryRoutes(app: FastifyInstance, options: { publicUrl: PublicUrl }): Promise<void> {
  app.get(
    METADATA_PATH,
    {
      config: { crossOrigin: true },
      schema: {
        tags: ['oauth2'],
        summary: 'RFC 8414 authorization-server metadata (no OpenID: Parley issues no ID tokens)',
        response: { 200: Metadata },
      },
    },
    async (_request, reply) => {
      const issuer = options.publicUrl.value;
      return reply.header('cache-control', 'public, max-age=3600').send({
        issuer,
        token_endpoint: `${issuer}/token`,
        revocation_endpoint: `${issuer}/token/revoke`,
        grant_types_supported: ['password', 'refresh_token'],
        // Public clients: there are no client credentials to present (a client_id is accepted and ignored).
        token_endpoint_auth_methods_supported: ['none'],
        revocation_endpoint_auth_methods_supported: ['none'],
        scopes_supported: [...SCOPES],
        // No authorization endpoint: the password grant needs none.
        response_types_supported: [],
        service_documentation: `${issuer}/docs`,
      });
    },
  );
}
