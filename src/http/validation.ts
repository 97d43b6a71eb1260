// Fastify's schema errors in words. Ajv says `body/name must match pattern "^[a-z0-9]…"` or lists every branch of
// an anyOf; a person gets the first problem, named by its field, with a room name's rule spelled out.
import type { FastifySchemaValidationError } from 'fastify';
import { ROOM_NAME_PATTERN, ROOM_NAME_RULE } from 'parley-chat-protocol';

const WHERE: Record<string, string> = { body: '', querystring: 'query parameter ', params: 'path segment ', headers: 'header ' };

export function validationSentence(errors: readonly FastifySchemaValidationError[], context: string | undefined): string | undefined {
  const [first] = errors;
  if (!first) return undefined;
  const params = first.params as Record<string, unknown>;
  const field = first.instancePath.slice(1).replaceAll('/', '.');
  const where = WHERE[context ?? 'body'] ?? '';
  const named = `${where}${field}`;
  switch (first.keyword) {
    case 'required':
      return `${where}${field ? `${field}.` : ''}${String(params.missingProperty)} is required`;
    case 'pattern':
      return params.pattern === ROOM_NAME_PATTERN ? `${named}: ${ROOM_NAME_RULE}` : `${named} is not in the expected form`;
    case 'maxLength':
      return `${named} has at most ${String(params.limit)} characters`;
    case 'minLength':
      return params.limit === 1 ? `${named} cannot be empty` : `${named} needs at least ${String(params.limit)} characters`;
    case 'maximum':
      return `${named} is at most ${String(params.limit)}`;
    case 'minimum':
      return `${named} is at least ${String(params.limit)}`;
    case 'type':
      return `${named || 'the body'} must be ${String(params.type) === 'integer' ? 'a whole number' : `of type ${String(params.type)}`}`;
    case 'enum':
      return `${named} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'additionalProperties':
      return `unknown field ${String(params.additionalProperty)}${field ? ` in ${field}` : ''}`;
    default:
      return `${named ? `${named}: ` : ''}${first.message ?? 'is invalid'}`;
  }
}
