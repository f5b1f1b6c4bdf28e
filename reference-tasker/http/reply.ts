import type { ServerResponse } from 'node:http';
import { ApiError } from '../errors.js';

/** A finished answer: the body is already serialized, so a replay can send the very same bytes. */
export interface Outgoing {
  status: number;
  body: string;
  headers?: Readonly<Record<string, string>>;
}

export function jsonReply(status: number, body: object, headers?: Readonly<Record<string, string>>): Outgoing {
  return { status, body: JSON.stringify(body), ...(headers === undefined ? {} : { headers }) };
}

export function errorReply(error: ApiError, headers?: Readonly<Record<string, string>>): Outgoing {
  return jsonReply(error.status, error.toEnvelope(), headers);
}

export function send(res: ServerResponse, outgoing: Outgoing): void {
  res.statusCode = outgoing.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(outgoing.body));
  for (const [name, value] of Object.entries(outgoing.headers ?? {})) res.setHeader(name, value);
  res.end(outgoing.body);
}
