import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, request } from 'undici';
import { z } from 'zod';
import { type OAuthClient, ClientMetadataSchema, clientFromMetadata } from './client.js';
import { isPublicAddress, publicOnlyLookup } from './address-policy.js';

/**
 * Client ID Metadata Documents: a client whose client_id is an HTTPS URL publishes its metadata at
 * that URL, and the gateway fetches it, within bounds: at most 64 KiB, a time limit, no redirect
 * followed, no private address reached (unless configured), and the answer cached for a while.
 */
export interface MetadataDocumentOptions {
  timeoutMs: number;
  cacheSeconds: number;
  allowPrivateAddresses: boolean;
  /** Extra trusted CA certificates (PEM file) for clients on an internal PKI. */
  caFile: string | undefined;
  now: () => Date;
}

export class ClientMetadataError extends Error {}

const MAX_BYTES = 64 * 1024;
const MAX_CACHED = 500;

/** A client_id that names a metadata document: an https URL with a path (http only on loopback when private addresses are allowed). */
export function isMetadataDocumentUrl(clientId: string, allowPrivateAddresses: boolean): boolean {
  try {
    const url = new URL(clientId);
    const loopbackHttp = allowPrivateAddresses && url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    return (url.protocol === 'https:' || loopbackHttp) && url.pathname.length > 1 && !url.hash && !url.username && !url.password;
  } catch {
    return false;
  }
}

export function createMetadataDocumentFetcher(options: MetadataDocumentOptions) {
  const dispatcher = new Agent({
    connect: {
      ...(options.allowPrivateAddresses ? {} : { lookup: publicOnlyLookup }),
      ...(options.caFile ? { ca: [...rootCertificates, readFileSync(options.caFile, 'utf8')] } : {}),
    },
    connectTimeout: options.timeoutMs,
  });
  const cache = new Map<string, { client: OAuthClient; expiresAt: number }>();

  async function fetchDocument(url: string): Promise<OAuthClient> {
    // An address literal never goes through the resolver, so the public-address rule is applied here too.
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivateAddresses && isIP(host) !== 0 && !isPublicAddress(host)) {
      throw new ClientMetadataError(`the client metadata document at ${url} is on a non-public address`);
    }
    let response;
    try {
      response = await request(url, {
        dispatcher,
        method: 'GET',
        headers: { accept: 'application/json' },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new ClientMetadataError(`the client metadata document at ${url} could not be fetched (${(error as Error).message})`);
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      // A redirect is not followed: the document must live at the client_id itself.
      throw new ClientMetadataError(`the client metadata document at ${url} answered HTTP ${response.statusCode}`);
    }
    const declared = Number(response.headers['content-length'] ?? 0);
    if (declared > MAX_BYTES) {
      await response.body.dump();
      throw new ClientMetadataError(`the client metadata document at ${url} is larger than ${MAX_BYTES} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_BYTES) {
        response.body.destroy();
        throw new ClientMetadataError(`the client metadata document at ${url} is larger than ${MAX_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    let document: unknown;
    try {
      document = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new ClientMetadataError(`the client metadata document at ${url} is not JSON`);
    }
    const parsed = ClientMetadataSchema.extend({ client_id: z.string() }).safeParse(document);
    if (!parsed.success) throw new ClientMetadataError(`the client metadata document at ${url} is invalid: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    if (parsed.data.client_id !== url) throw new ClientMetadataError(`the client metadata document at ${url} names another client_id`);
    return clientFromMetadata(url, parsed.data, 'metadata-document');
  }

  return {
    async resolve(url: string): Promise<OAuthClient> {
      const now = options.now().getTime();
      const hit = cache.get(url);
      if (hit && hit.expiresAt > now) return hit.client;
      const client = await fetchDocument(url);
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
      cache.set(url, { client, expiresAt: now + options.cacheSeconds * 1000 });
      return client;
    },
    close: () => dispatcher.close(),
  };
}

export type MetadataDocumentFetcher = ReturnType<typeof createMetadataDocumentFetcher>;
