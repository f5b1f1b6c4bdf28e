import { createHash } from 'node:crypto';

/** Namespace for the reference server's deterministic ids (a random UUID fixed once). */
const NAMESPACE = '5b0e4a62-9c1d-4f3e-8a8b-1f6d2f0c7e41';

/**
 * A name-based UUID (RFC 9562 version 5) so that seeded rows get the same id on every start
 * and in every database, which lets tests and the documentation refer to them.
 */
export function seededId(name: string): string {
  const namespaceBytes = Buffer.from(NAMESPACE.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The ids of catalog rows, derived from what makes them unique, so re-seeding finds the same rows. */
export const catalogIds = {
  workspace: (slug: string) => seededId(`workspace:${slug}`),
  project: (workspaceId: string, identifier: string) => seededId(`project:${workspaceId}:${identifier}`),
  state: (projectId: string, name: string) => seededId(`state:${projectId}:${name}`),
  label: (projectId: string, name: string) => seededId(`label:${projectId}:${name}`),
  seededIssue: (projectId: string, sequenceId: number) => seededId(`issue:${projectId}:${sequenceId}`),
  seededComment: (issueId: string, n: number) => seededId(`comment:${issueId}:${n}`),
  cycle: (projectId: string, name: string) => seededId(`cycle:${projectId}:${name}`),
  module: (projectId: string, name: string) => seededId(`module:${projectId}:${name}`),
} as const;
