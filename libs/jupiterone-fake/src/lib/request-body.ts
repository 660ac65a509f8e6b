import type { IncomingMessage } from 'node:http';

export interface RequestBody {
  /** Every byte received, also past the limit. */
  bytes: number;
  /** The body as text; undefined when it was over the limit (its bytes were read and dropped). */
  text: string | undefined;
}

/**
 * Reads the whole request so the connection stays usable, but keeps at most `limit` bytes: a body
 * over the limit is counted and dropped, never buffered. Rejects when the client goes away.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<RequestBody> {
  let chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    if (bytes <= limit) chunks.push(buffer);
    else if (chunks.length > 0) chunks = [];
  }
  return { bytes, text: bytes <= limit ? Buffer.concat(chunks).toString('utf8') : undefined };
}
