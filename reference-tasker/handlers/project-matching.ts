import type { Project } from '../contract.js';

export const MAX_CANDIDATES = 10;

export type ProjectMatch =
  | { kind: 'none' }
  | { kind: 'one'; project: Project }
  | { kind: 'many'; candidates: Project[] };

/**
 * The resolve rule, over the projects the owner is a member of: exact id, else identifier
 * (case-insensitive), else name (case-insensitive, exact), else a case-insensitive substring
 * of the name. The first rule with any hit decides; more than one hit there is ambiguous.
 */
export function matchProjects(projects: readonly Project[], rawQuery: string): ProjectMatch {
  const query = rawQuery.trim();
  const lowered = query.toLowerCase();
  const rules: ((project: Project) => boolean)[] = [
    (project) => project.id === query,
    (project) => project.identifier.toLowerCase() === lowered,
    (project) => project.name.toLowerCase() === lowered,
    (project) => project.name.toLowerCase().includes(lowered),
  ];
  for (const rule of rules) {
    const hits = projects.filter(rule);
    const [first] = hits;
    if (first === undefined) continue;
    return hits.length === 1 ? { kind: 'one', project: first } : { kind: 'many', candidates: hits.slice(0, MAX_CANDIDATES) };
  }
  return { kind: 'none' };
}
