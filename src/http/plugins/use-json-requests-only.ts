import type { Plugin } from 'graphql-yoga';

/**
 * A POST to /graphql must declare a JSON body (`application/json`, or the older
 * `application/graphql+json`). A browser sends the other simple-request types
 * (`application/x-www-form-urlencoded`, `multipart/form-data`, `text/plain`) cross-site without
 * asking first, so a page on any origin could make a visitor's browser run a document: such a
 * request is answered 415 before anything is parsed or executed. GET stays for queries (Yoga runs
 * no mutation over GET). `multipart: false` in yoga.ts also removes the upload parser itself.
 */
const JSON_TYPES = new Set(['application/json', 'application/graphql+json']);

export function useJsonRequestsOnly(): Plugin {
  return {
    onRequestParse({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (JSON_TYPES.has(type)) return;
      endResponse(
        new Response(
          JSON.stringify({
            errors: [
              {
                message: 'a GraphQL POST must have Content-Type: application/json',
                extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' },
              },
            ],
          }),
          { status: 415, headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' } },
        ),
      );
    },
  };
}
