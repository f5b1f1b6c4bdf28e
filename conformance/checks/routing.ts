import { randomUUID } from 'node:crypto';
import type { ConformanceCheck } from '../check.js';
import { expectError } from '../expect.js';

export const routingChecks: readonly ConformanceCheck[] = [
  {
    name: 'routing: an unknown route is 404 NOT_FOUND',
    async run(ctx) {
      expectError(await ctx.client.call('GET', '/no-such-endpoint'), 404, 'NOT_FOUND', 'GET /no-such-endpoint');
    },
  },
  {
    name: 'routing: a wrong method on a known path is 405 METHOD_NOT_ALLOWED',
    async run(ctx) {
      const { project } = await ctx.project();
      const response = await ctx.client.call('DELETE', `/issues/${randomUUID()}`, {
        body: { project_id: project.id },
        idempotencyKey: `conformance-${randomUUID()}`,
      });
      expectError(response, 405, 'METHOD_NOT_ALLOWED', 'DELETE /issues/:id');
      const resolve = await ctx.client.call('GET', '/projects/resolve');
      expectError(resolve, 405, 'METHOD_NOT_ALLOWED', 'GET /projects/resolve');
    },
  },
];
