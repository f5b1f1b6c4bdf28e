import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The agent's whole surface is the set of `.graphql` files in operations/. Each file holds one
 * named operation and, above it, comment lines written for a model:
 *   # What the tool does, when to use it, what it returns.   (description, may span lines)
 *   # @param name  what the variable means                    (one per variable)
 *   # @destructive / # @idempotent                            (annotations for mutations)
 *   # @toolset issues                                         (the toolset it belongs to, src/mcp/toolsets.ts)
 */
export const OPERATIONS_DIR = fileURLToPath(new URL('./operations/', import.meta.url));

export interface OperationFile {
  file: string;
  source: string;
}

export function readOperationFiles(dir: string = OPERATIONS_DIR): OperationFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => ({ file, source: readFileSync(join(dir, file), 'utf8') }));
}

export interface OperationNotes {
  description: string;
  params: Record<string, string>;
  destructive: boolean;
  idempotent: boolean;
  toolset: string | undefined;
}

export function readOperationNotes(source: string): OperationNotes {
  const notes: OperationNotes = { description: '', params: {}, destructive: false, idempotent: false, toolset: undefined };
  const description: string[] = [];
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('#')) {
      if (line.length > 0) break; // comments after the operation starts are not notes
      continue;
    }
    const text = line.replace(/^#\s?/, '');
    const param = /^@param\s+(\w+)\s+(.+)$/.exec(text);
    if (param?.[1] && param[2]) notes.params[param[1]] = param[2].trim();
    else if (text === '@destructive') notes.destructive = true;
    else if (text === '@idempotent') notes.idempotent = true;
    else if (/^@toolset\s+\w+$/.test(text)) notes.toolset = text.split(/\s+/)[1];
    else if (text.startsWith('@')) throw new Error(`unknown note "${text}"`);
    else description.push(text);
  }
  notes.description = description.join(' ').trim();
  return notes;
}
