import { z } from 'zod';
import * as auditRepo from '../db/repositories/audit-events.js';
import { parseInput } from '../errors/zod.js';
import { loadAgentFor } from './agents.js';
import { type CallContext, type GatewayDeps, requireLauncher } from './context.js';
import { DEFAULT_PAGE_SIZE, decodeKeysetCursor, encodeKeysetCursor, type Page, PageSizeSchema, toPage } from './pagination.js';
import { type AuditEventView, toAuditEventView } from './views.js';

export const ListAuditEventsInputSchema = z.strictObject({
  agentId: z.string().optional(),
  first: PageSizeSchema.default(DEFAULT_PAGE_SIZE),
  after: z.string().max(500).optional(),
});

/** Users see the events about their agents and their own actions; admins see everything. */
export async function listAuditEvents(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof ListAuditEventsInputSchema>,
): Promise<Page<AuditEventView>> {
  const principal = requireLauncher(ctx.principal);
  const input = parseInput(ListAuditEventsInputSchema, rawInput);
  const agentId =
    input.agentId === undefined ? undefined : (await loadAgentFor(deps.db, principal, input.agentId, 'read')).id;
  const before = input.after === undefined ? undefined : decodeKeysetCursor(input.after);
  const rows = await auditRepo.listAuditEvents(deps.db, {
    ...(agentId !== undefined ? { agentId } : {}),
    ...(principal.role === 'admin' ? {} : { visibleToUserId: principal.userId }),
    limit: input.first + 1,
    ...(before ? { before: { occurredAt: before.at, id: before.id } } : {}),
  });
  return toPage(rows, input.first, toAuditEventView, (row) => encodeKeysetCursor(row.occurred_at, row.id));
}
