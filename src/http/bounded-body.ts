/**
 * A request whose body is read here, at most `limit` bytes, whatever Content-Length says or
 * omits (a chunked body has none). Past the limit reading stops and null is returned, so no
 * surface ever holds an oversize body in memory.
 */
/** Every surface (GraphQL, MCP, REST) takes small JSON bodies. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

export async function withBoundedBody(request: Request, limit: number): Promise<Request | null> {
  // Checked before the body is touched: a declared oversize body is never read at all.
  const length = request.headers.get('content-length');
  const declared = Number(length ?? 0);
  if (declared > limit) return null;
  // A declared length is the body's length: Node's HTTP parser delivers exactly that many bytes,
  // so such a body (every ordinary client's) is within the bound as it stands and is not copied.
  if (length !== null || request.method === 'GET' || request.method === 'HEAD' || !request.body) return request;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  // The signal goes along, so work for a client that has gone away can stop.
  return new Request(request.url, { method: request.method, headers: request.headers, body: Buffer.concat(chunks), signal: request.signal });
}
