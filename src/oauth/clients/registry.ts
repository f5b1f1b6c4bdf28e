import type { Db } from '../../db/database.js';
import * as clientsRepo from '../../db/repositories/oauth-clients.js';
import { type OAuthClient, clientFromMetadata, type ClientMetadata } from './client.js';
import { ClientMetadataError, isMetadataDocumentUrl, type MetadataDocumentFetcher } from './metadata-documents.js';

/**
 * Who a client_id names, in order of preference: a client configured by the operator
 * (OAUTH_CLIENTS), a Client ID Metadata Document (the client_id is its URL), or a client that
 * registered itself dynamically (RFC 7591, the deprecated fallback, off unless enabled).
 */
export type ClientLookup = { ok: true; client: OAuthClient } | { ok: false; reason: string };

export interface ClientRegistry {
  find(clientId: string): Promise<ClientLookup>;
}

export function createClientRegistry(deps: {
  db: Db;
  configured: ReadonlyArray<ClientMetadata & { client_id: string }>;
  metadataDocuments: MetadataDocumentFetcher;
  allowPrivateAddresses: boolean;
  dynamicRegistration: boolean;
}): ClientRegistry {
  const configured = new Map(deps.configured.map((entry) => [entry.client_id, clientFromMetadata(entry.client_id, entry, 'configured')]));
  return {
    async find(clientId) {
      const known = configured.get(clientId);
      if (known) return { ok: true, client: known };
      if (isMetadataDocumentUrl(clientId, deps.allowPrivateAddresses)) {
        try {
          return { ok: true, client: await deps.metadataDocuments.resolve(clientId) };
        } catch (error) {
          if (error instanceof ClientMetadataError) return { ok: false, reason: error.message };
          throw error;
        }
      }
      if (deps.dynamicRegistration) {
        const row = await clientsRepo.findClient(deps.db, clientId);
        if (row) {
          return {
            ok: true,
            client: {
              clientId: row.client_id,
              clientName: row.client_name ?? row.client_id,
              redirectUris: row.redirect_uris,
              clientUri: row.client_uri ?? undefined,
              logoUri: row.logo_uri ?? undefined,
              registration: 'dynamic',
            },
          };
        }
      }
      return { ok: false, reason: `unknown client_id; use a client ID metadata document URL (https) or a client registered with this gateway` };
    },
  };
}
