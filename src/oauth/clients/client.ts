import { z } from 'zod';
import { cleanName } from '../../validation/text.js';

/** A client the authorization server recognises, however it came to know it. */
export interface OAuthClient {
  clientId: string;
  clientName: string;
  redirectUris: string[];
  clientUri: string | undefined;
  logoUri: string | undefined;
  /** configured: OAUTH_CLIENTS; metadata-document: its client_id is the URL of its metadata; dynamic: RFC 7591. */
  registration: 'configured' | 'metadata-document' | 'dynamic';
}

const httpUrl = z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).max(2000);

/**
 * Client metadata as RFC 7591 writes it (the shape of a metadata document, a registration request
 * and a configured client). Only public clients: the gateway issues no client secrets, PKCE is
 * what binds a code to the client that asked for it.
 */
export const ClientMetadataSchema = z.object({
  client_name: cleanName('client_name', { max: 200 }).optional(),
  client_uri: httpUrl.optional(),
  logo_uri: httpUrl.optional(),
  redirect_uris: z.array(z.url({ message: 'expected a redirect URI' }).max(2000)).min(1).max(10),
  token_endpoint_auth_method: z.literal('none', { message: 'only public clients (token_endpoint_auth_method "none") are supported' }).optional(),
  grant_types: z.array(z.string()).optional(),
  response_types: z.array(z.string()).optional(),
});

export type ClientMetadata = z.infer<typeof ClientMetadataSchema>;

export function clientFromMetadata(clientId: string, metadata: ClientMetadata, registration: OAuthClient['registration']): OAuthClient {
  return {
    clientId,
    clientName: metadata.client_name ?? clientId,
    redirectUris: metadata.redirect_uris,
    clientUri: metadata.client_uri,
    logoUri: metadata.logo_uri,
    registration,
  };
}
