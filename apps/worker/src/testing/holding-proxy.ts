import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';

/**
 * An HTTP proxy on 127.0.0.1 in front of a server (the JumpCloud simulator) that can hold
 * requests: while `hold(test)` is on, a request whose path passes `test` waits, unanswered, until
 * `release()`. A sync cannot end while one of its requests is held, so a test can keep a run in
 * progress for as long as it needs, whatever the machine's speed.
 */
export class HoldingProxy {
  private server?: Server;
  private holding: ((path: string) => boolean) | undefined;
  private readonly held = new Set<() => void>();
  private url?: string;

  constructor(private readonly target: string) {}

  get baseUrl(): string {
    if (!this.url) throw new Error('HoldingProxy is not started');
    return this.url;
  }

  /** Requests held now (waiting for `release()`). */
  get heldCount(): number {
    return this.held.size;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    this.server = server;
    return this.url;
  }

  /** Holds the requests whose path passes `test` (every request by default) until `release()`. */
  hold(test: (path: string) => boolean = () => true): void {
    this.holding = test;
  }

  /** Stops holding, and sends the held requests on. */
  release(): void {
    this.holding = undefined;
    for (const resume of [...this.held]) resume();
  }

  async stop(): Promise<void> {
    this.release();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://proxy.invalid').pathname;
    if (!this.holding?.(path)) return this.forward(req, res);
    const resume = () => {
      this.held.delete(resume);
      this.forward(req, res);
    };
    this.held.add(resume);
    // a client that gives up (a killed or cancelled worker) is forgotten
    res.once('close', () => this.held.delete(resume));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    if (res.destroyed) return;
    const target = new URL(req.url ?? '/', this.target);
    const upstream = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.once('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}
