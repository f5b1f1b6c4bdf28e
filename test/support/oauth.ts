import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { graphql } from './gateway.js';
import { startTestStack, type TestStack } from './stack.js';

/**
 * OAuth helpers for the suites: a loopback HTTPS server publishing a client's metadata document
 * (with its own throwaway CA, which the test gateway is told to trust), and the browser's and the
 * Launcher's parts of an authorization, done by hand over HTTP.
 */
export interface MetadataHost {
  caFile: string;
  /** Publishes a metadata document and returns its URL (the client_id). */
  publish(path: string, document: (clientId: string) => Record<string, unknown>): string;
  /** Answers `path` with a 302 to `target` (a path on this host); returns the URL of `path`. */
  redirect(path: string, target: string): string;
  /** Every path requested, in order. */
  hits: string[];
  close(): Promise<void>;
}

export async function startMetadataHost(): Promise<MetadataHost> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-cimd-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  const documents = new Map<string, Record<string, unknown>>();
  const redirects = new Map<string, string>();
  const hits: string[] = [];
  const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => {
    hits.push(request.url ?? '');
    const target = redirects.get(request.url ?? '');
    if (target !== undefined) {
      response.writeHead(302, { location: `${base}${target}` });
      response.end();
      return;
    }
    const document = documents.get(request.url ?? '');
    response.writeHead(document ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(document ?? { error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    caFile: cert,
    hits,
    redirect(path, target) {
      redirects.set(path, target);
      return `${base}${path}`;
    },
    publish(path, document) {
      const clientId = `${base}${path}`;
      documents.set(path, document(clientId));
      return clientId;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const pkcePair = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

export const REDIRECT_URI = 'http://127.0.0.1/callback';

export interface AuthorizeParams {
  client_id: string;
  redirect_uri?: string;
  response_type?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  resource?: string;
  scope?: string;
  state?: string;
}

/** The browser's GET of the authorization endpoint, without following the redirect. */
export async function authorizeRequest(gatewayUrl: string, params: AuthorizeParams): Promise<Response> {
  const url = new URL('/oauth/authorize', gatewayUrl);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return fetch(url, { redirect: 'manual' });
}

/** The consent handle from the authorization endpoint's redirect to the consent screen. */
export function handleFrom(response: Response): string {
  expect(response.status).toBe(302);
  const handle = new URL(response.headers.get('location')!).searchParams.get('request');
  expect(handle).toMatch(/^ndcoa_/);
  return handle!;
}

/** The Launcher approving, with the person's JWT; returns the redirect back to the client. */
export async function approve(gateway: { url: string }, jwt: string, input: Record<string, unknown>): Promise<URL> {
  const result = await graphql<{ approveOAuthRequest: { redirectUrl: string } }>(
    gateway,
    'mutation($i: ApproveOAuthRequestInput!) { approveOAuthRequest(input: $i) { redirectUrl } }',
    { token: jwt, variables: { i: input } },
  );
  expect(result.errors).toBeUndefined();
  return new URL(result.data!.approveOAuthRequest.redirectUrl);
}

export async function tokenRequest(gatewayUrl: string, form: Record<string, string | undefined>): Promise<{ status: number; body: Record<string, string> }> {
  const body = new URLSearchParams(Object.entries(form).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const response = await fetch(new URL('/oauth/token', gatewayUrl), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

/** The whole stack with a metadata host it trusts (loopback allowed), and one client published there. */
export interface OAuthStack {
  stack: TestStack;
  host: MetadataHost;
  clientId: string;
  close(): Promise<void>;
}

export async function startOAuthStack(client: { path: string; document: (clientId: string) => Record<string, unknown> }): Promise<OAuthStack> {
  const host = await startMetadataHost();
  const stack = await startTestStack({ OAUTH_CLIENT_METADATA_ALLOW_PRIVATE_ADDRESSES: 'true', OAUTH_CLIENT_METADATA_CA_FILE: host.caFile });
  const clientId = host.publish(client.path, client.document);
  return {
    stack,
    host,
    clientId,
    close: async () => {
      await stack.close();
      await host.close();
    },
  };
}
