import { PROJECT_IDENTIFIER_PATTERN } from '../resolvers/agent/inputs.js';

/** Tasker's project ids are UUIDs. */
const PROJECT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An issue key (DEMO-12): a project identifier, a dash, the issue's sequence number. */
const ISSUE_KEY_PATTERN = new RegExp(`^(${PROJECT_IDENTIFIER_PATTERN.source.replace(/^\^|\$$/g, '')})-[1-9][0-9]{0,9}$`);
/** As many as a search may name (IdListSchema). */
const MAX_PROJECTS = 50;

/** The project facts of an agent call's event, under the names the tools' own events use. */
export interface NamedProject {
  /** A project id the call named. */
  projectId?: string;
  /** A project identifier (DEMO) the call named instead of an id. */
  projectRef?: string;
  /** The projects a search named. */
  projectIds?: string[];
}

const recordOf = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const wellFormed = (value: unknown): value is string => typeof value === 'string' && (PROJECT_ID_PATTERN.test(value) || PROJECT_IDENTIFIER_PATTERN.test(value));

/**
 * The project an agent call names in its variables or tool arguments, wherever the persisted
 * operations put it (`projectId`, `input.projectId`, `projectIds`, or the identifier in an issue key
 * given as `issueId`: DEMO in DEMO-12), for the event of a call refused
 * before any resolver ran (which would otherwise record it). Only a well-formed id or identifier
 * is kept, so the record holds nothing a caller could shape into noise. It is what the caller
 * claimed, for the record: nothing is authorized by it.
 */
export function namedProjectOf(variables: unknown): NamedProject {
  const record = recordOf(variables);
  if (!record) return {};
  const single = record.projectId ?? recordOf(record.input)?.projectId;
  if (wellFormed(single)) return PROJECT_ID_PATTERN.test(single) ? { projectId: single } : { projectRef: single };
  const list = record.projectIds;
  if (Array.isArray(list) && list.length > 0 && list.length <= MAX_PROJECTS && list.every(wellFormed)) return { projectIds: list };
  const issueKey = typeof record.issueId === 'string' ? ISSUE_KEY_PATTERN.exec(record.issueId) : null;
  if (issueKey) return { projectRef: issueKey[1]! };
  return {};
}
