import type { Plugin } from 'graphql-yoga';

/**
 * Yoga answers a few HTTP-level refusals with a bare status and no body (406 for an Accept it
 * cannot serve, 405 for a method it does not take, 415 for a body type it cannot parse). Every
 * answer of /graphql carries the GraphQL error shape with a stable code instead, so a client (or
 * a model reading the answer) learns what to change; status and headers (Allow, …) are kept.
 */
const CODES: Record<number, [code: string, message: string]> = {
  405: ['METHOD_NOT_ALLOWED', 'use POST (or GET for a query)'],
  406: ['NOT_ACCEPTABLE', 'accept application/graphql-response+json or application/json'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'a GraphQL POST must have Content-Type: application/json'],
};

export function useErrorBodies(): Plugin {
  return {
    onResponse({ response, setResponse }) {
      if (response.status < 400 || response.body !== null) return;
      const [code, message] = CODES[response.status] ?? ['BAD_REQUEST', 'the request cannot be served'];
      const headers = new Headers(response.headers);
      headers.set('content-type', 'application/json; charset=utf-8');
      setResponse(new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), { status: response.status, headers }));
    },
  };
}
