import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { signedHeaders, type SigningKey } from '../src/tasker/signing.js';

/** The adapter's base path (contract v1); the Tasker URL may add a prefix in front of it. */
export const BASE_PATH = '/api/internal/nodedc/agent';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface AdapterResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Readonly<Record<string, string>>;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export interface Identity {
  agentId: string;
  ownerUserId: string;
}

export interface CallOptions {
  /** Serialized with JSON.stringify. */
  body?: unknown;
  /** Sent byte for byte instead of `body` (for malformed JSON). */
  rawBody?: string;
  /** Defaults to the client's identity. */
  as?: Partial<Identity>;
  /**
   * The Idempotency-Key. Writes (PATCH, PUT, and POST except resolve) get a fresh one unless a
   * string is given; null sends none.
   */
  idempotencyKey?: string | null;
  /** The clock the signature is made with. */
  now?: () => number;
  /** Rewrites the signed headers before sending (for tampering). */
  tamper?: (headers: Record<string, string>) => Record<string, string>;
  /** Sends this body instead of the signed one (for tampering). */
  sendBody?: string;
  /** Signs with this secret, under the client's key id, instead of the right one. */
  secret?: string;
  /** Signs with this key (its own id and secret) instead of the client's. */
  key?: SigningKey;
}

export interface SignedRequest {
  method: Method;
  /** Full request target as sent: prefix + base path + path + query. */
  target: string;
  headers: Record<string, string>;
  body: string;
}

function isWrite(method: Method, path: string): boolean {
  if (method === 'PATCH' || method === 'PUT') return true;
  return method === 'POST' && !path.startsWith('/projects/resolve') && !path.startsWith('/issues/search');
}

/** A client of the adapter that signs like the gateway does, with knobs to break the rules on purpose. */
export class AdapterClient {
  private readonly origin: string;
  private readonly prefix: string;

  constructor(
    taskerUrl: string,
    readonly key: SigningKey,
    readonly identity: Identity,
  ) {
    const url = new URL(taskerUrl);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
  }

  /** `path` is relative to the base path and may carry a query string. */
  target(path: string): string {
    return `${this.prefix}${BASE_PATH}${path}`;
  }

  sign(method: Method, path: string, options: CallOptions = {}): SignedRequest {
    const target = this.target(path);
    const body = options.rawBody ?? (options.body === undefined ? '' : JSON.stringify(options.body));
    const idempotencyKey =
      options.idempotencyKey === null
        ? undefined
        : (options.idempotencyKey ?? (isWrite(method, path) ? `conformance-${randomUUID()}` : undefined));
    const headers = signedHeaders(
      options.key ?? (options.secret === undefined ? this.key : { id: this.key.id, secret: options.secret }),
      {
        method,
        pathWithQuery: target,
        agentId: options.as?.agentId ?? this.identity.agentId,
        ownerUserId: options.as?.ownerUserId ?? this.identity.ownerUserId,
        idempotencyKey,
        body,
        requestId: `conformance-${randomUUID()}`,
      },
      options.now,
    );
    const finalHeaders = options.tamper === undefined ? headers : options.tamper({ ...headers });
    if (body !== '') finalHeaders['content-type'] = 'application/json; charset=utf-8';
    return { method, target, headers: finalHeaders, body: options.sendBody ?? body };
  }

  async call(method: Method, path: string, options: CallOptions = {}): Promise<AdapterResponse> {
    return this.send(this.sign(method, path, options));
  }

  /** Sends exactly what it is given; use it to send unsigned or replayed requests. */
  async send(signed: SignedRequest): Promise<AdapterResponse> {
    const response = await request(`${this.origin}${signed.target}`, {
      method: signed.method,
      headers: signed.headers,
      ...(signed.body === '' ? {} : { body: signed.body }),
    });
    const text = await response.body.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: response.statusCode, headers, text, json: parseJson(text) };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
