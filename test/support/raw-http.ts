// Raw bytes over a TCP socket, for requests node's http client refuses to send
// (malformed request lines, backslashes, oversized headers) and for answers that
// must be read exactly as the gateway wrote them.
import net from 'node:net';

export interface RawReply {
  readonly status: number;
  /** Lower-case names; a repeated header keeps its last value. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Send `request` and read one response; it must carry Content-Length (every gateway problem does). */
export function rawRequest(port: number, request: string | Buffer): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      const reply = parseReply(received);
      if (reply === null && error === undefined && !socket.readableEnded) return; // wait for more
      settled = true;
      socket.destroy();
      if (reply !== null) resolve(reply);
      else reject(error ?? new Error(`incomplete response: ${JSON.stringify(received.toString('latin1'))}`));
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      finish();
    });
    socket.on('end', () => finish());
    // A reset after a complete answer (the gateway closed with our bytes unread) still counts as the answer.
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error('closed')));
    socket.write(request);
  });
}

/** A complete response in `data`, or null when more bytes are needed. */
function parseReply(data: Buffer): RawReply | null {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd === -1) return null;
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = data.subarray(headEnd + 4);
  const length = headers['content-length'];
  if (length === undefined || body.length < Number(length)) return null;
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.subarray(0, Number(length)).toString('utf8') };
}
