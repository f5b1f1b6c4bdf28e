import { connect } from 'node:net';

/**
 * Sends bytes a well-behaved client library would refuse to send (a malformed Host, a bare CR in
 * a header) and returns the raw answer: status, headers and body as the server wrote them.
 */
export async function rawRequest(gatewayUrl: string, head: string, body = ''): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { hostname, port } = new URL(gatewayUrl);
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(`${head}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
  const [headPart = '', ...rest] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = headPart.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  let text = rest.join('\r\n\r\n');
  if (headers['transfer-encoding'] === 'chunked') text = decodeChunked(text);
  return { status: Number(statusLine.split(' ')[1]), headers, body: text };
}

function decodeChunked(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!size) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}
