// Fastify's route patterns (`/rooms/:room/members`, a trailing `*`) as regular expressions, for the places that
// must know which route a path would reach without routing it: the 405 answer and the CORS preflight.
export function routePattern(pattern: string): RegExp {
  const source = pattern
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}
