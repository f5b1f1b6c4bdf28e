import { z } from 'zod';
import { badInput, GatewayError } from '../../errors/gateway-error.js';
import { parseInput } from '../../errors/zod.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { noteTasker, runAgentCall } from './agent-call.js';
import { DryRunField, KeyField, LinkTitleSchema, TaskerIdSchema } from './inputs.js';
import { locateIssue } from './issue-access.js';
import { type LinkView, toLinkView } from './views.js';
import { writeToIssue } from './write-frame.js';
import { dryRun, written } from './write-result.js';

export async function issueLinks(deps: GatewayDeps, ctx: CallContext, issueId: string): Promise<LinkView[]> {
  const ref = parseInput(TaskerIdSchema, issueId);
  return runAgentCall(deps, ctx, 'issueLinks', async (call) => {
    const issue = await locateIssue(deps, call, ref, 'issues:read');
    return noteTasker(call, await deps.tasker.listLinks(call.caller, issue.id)).map(toLinkView);
  });
}

const UrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), { message: 'url must be an http(s) URL' });

export const LinkInputSchema = z.strictObject({
  issueId: TaskerIdSchema,
  url: UrlSchema,
  title: LinkTitleSchema.optional(),
  remove: z.boolean().optional(),
  ...KeyField,
  ...DryRunField,
});

/** Attaches a URL with a title (a pull request, a commit, a CI run), or with `remove`, takes it off. */
export async function linkIssue(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof LinkInputSchema>) {
  const { idempotencyKey, dryRun: isDryRun = false, issueId, url, title, remove = false } = parseInput(LinkInputSchema, rawInput);
  if (remove && title !== undefined) throw badInput('a title is for adding a link; leave it out when removing', { field: 'title' });
  const tool = remove ? 'removeIssueLink' : 'addIssueLink';
  const spec = { tool, scope: 'links:write' as const, issueRef: issueId, idempotencyKey, dryRun: isDryRun, input: { url, title, remove } };
  const link = { url, title: title ?? null };
  return writeToIssue(deps, ctx, spec, {
    plan: async (call, { current }) => {
      const existing = noteTasker(call, await deps.tasker.listLinks(call.caller, current.id)).find((candidate) => candidate.url === url);
      if (remove && !existing) throw new GatewayError('NOT_FOUND', `${current.key} has no link to ${url}`);
      if (!remove && existing) throw new GatewayError('CONFLICT', `${current.key} already links ${url}`);
      return dryRun([{ field: 'link', before: remove ? { url, title: existing?.title ?? null } : null, after: remove ? null : link }]);
    },
    write: async (call, key, { current }) => {
      const target = { idempotencyKey: key, issueId: current.id, projectId: current.project_id };
      let links;
      let before: { url: string; title: string | null } | null = null;
      if (remove) {
        // Tasker removes by link id; agents name the URL, which Plane keeps unique per issue.
        const existing = noteTasker(call, await deps.tasker.listLinks(call.caller, current.id)).find((candidate) => candidate.url === url);
        if (!existing) throw new GatewayError('NOT_FOUND', `${current.key} has no link to ${url}`);
        before = { url, title: existing.title };
        links = noteTasker(call, await deps.tasker.removeLink(call.caller, target, existing.id));
      } else {
        links = noteTasker(call, await deps.tasker.addLink(call.caller, target, url, title ?? null));
      }
      if (links.some((candidate) => candidate.url === url) === remove) {
        throw new GatewayError('TASKER_WRITE_NOT_APPLIED', 'Tasker reported success but the link list does not show the change; check the issue before retrying', {
          details: { mismatched: ['links'] },
        });
      }
      return written([{ field: 'link', before, after: remove ? null : link }], { links: links.map(toLinkView) });
    },
  });
}
