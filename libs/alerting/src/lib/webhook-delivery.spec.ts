import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type RetryOptions } from '@jumpcloud-graph/http-retry';
import { type Finding, type RuleSummary, type WebhookAction } from './finding';
import { checkWebhookUrl, deliverWebhook, type DeliverWebhookOptions, webhookBodies, WebhookUrlError } from './webhook-delivery';
import { WebhookReceiver } from './webhook-receiver';

const rule: RuleSummary = { id: 'users-without-mfa', name: 'Users without MFA', severity: 'HIGH' };
const retry: RetryOptions = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 60_000 };

function finding(index: number, overrides: Partial<Finding> = {}): Finding {
  return {
    id: `f-${String(index).padStart(3, '0')}`,
    ruleId: rule.id,
    kind: 'result',
    object: {
      _type: 'jumpcloud_user',
      _key: `user-${index}`,
      name: `User ${index}`,
      webLink: `https://console.jumpcloud.com/#/users/user-${index}/details`,
    },
    ...overrides,
  };
}

function findings(count: number): Finding[] {
  return Array.from({ length: count }, (_, i) => finding(i));
}

/** A sleep that never waits and remembers what it was asked to wait. */
function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

function hmac(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('hex')}`;
}

describe('checkWebhookUrl', () => {
  it('takes https, and http to a loopback host', () => {
    expect(checkWebhookUrl('https://hooks.example.com/a/b').host).toBe('hooks.example.com');
    expect(checkWebhookUrl('http://127.0.0.1:8080/hook').port).toBe('8080');
    expect(checkWebhookUrl('http://localhost/hook').hostname).toBe('localhost');
    expect(checkWebhookUrl('http://[::1]:9000/').hostname).toBe('[::1]');
  });

  it.each([
    ['http://hooks.example.com/secret-path', /http:\/\/ to hooks\.example\.com, which is not loopback/],
    ['https://user:pass@hooks.example.com/x', /must not carry credentials/],
    ['ftp://hooks.example.com/x', /must be an https URL, got ftp/],
    ['not a url', /the webhook URL is not a URL/],
  ])('refuses %s with a one-line WebhookUrlError that does not echo the URL', (url, message) => {
    let thrown: unknown;
    try {
      checkWebhookUrl(url);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WebhookUrlError);
    const text = (thrown as Error).message;
    expect(text).toMatch(message);
    expect(text).not.toMatch(/\n|secret-path|pass@|API key/);
  });
});

describe('webhookBodies', () => {
  it('gives no body for no findings', () => {
    expect(webhookBodies({ rule, format: 'json', findings: [], instance: null, runId: 1 })).toEqual([]);
    expect(webhookBodies({ rule, format: 'slack', findings: [], instance: null, runId: 1 })).toEqual([]);
  });

  it('json: exactly the documented keys, in order; changes only on updated findings', () => {
    const changes = { jobTitle: { from: 'A', to: 'B' }, _rawData: {} };
    const [only] = webhookBodies({
      rule,
      format: 'json',
      findings: [
        finding(1, { kind: 'created' }),
        finding(2, { kind: 'updated', changes }),
        finding(3, { kind: 'deleted', changes }),
        finding(4, { object: { _type: 'jumpcloud_user', _key: 'k4', name: null, webLink: null } }),
      ],
      instance: 'org-1',
      runId: 7,
    });
    const payload = JSON.parse(only.body) as Record<string, unknown>;
    expect(Object.keys(payload)).toEqual(['rule', 'instance', 'runId', 'findings', 'part', 'parts']);
    expect(payload).toEqual({
      rule: { id: rule.id, name: rule.name, severity: 'HIGH' },
      instance: 'org-1',
      runId: 7,
      findings: [
        { id: 'f-001', kind: 'created', object: finding(1).object },
        { id: 'f-002', kind: 'updated', object: finding(2).object, changes },
        { id: 'f-003', kind: 'deleted', object: finding(3).object },
        { id: 'f-004', kind: 'result', object: { _type: 'jumpcloud_user', _key: 'k4', name: null, webLink: null } },
      ],
      part: 1,
      parts: 1,
    });
    const entries = payload.findings as Record<string, unknown>[];
    expect(Object.keys(entries[1])).toEqual(['id', 'kind', 'object', 'changes']);
    expect(Object.keys(entries[1].object as object)).toEqual(['_type', '_key', 'name', 'webLink']);
    expect(entries.map((e) => 'changes' in e)).toEqual([false, true, false, false]);
    expect(only.findingIds).toEqual(['f-001', 'f-002', 'f-003', 'f-004']);
  });

  it('slack: long names and many changes stay within a line, every section within 3000 characters', () => {
    const many: Record<string, { from: string; to: string }> = {};
    for (let i = 0; i < 40; i += 1) many[`property${i}`] = { from: '<'.repeat(500), to: '&'.repeat(500) };
    const input = Array.from({ length: 50 }, (_, i) =>
      finding(i, { kind: 'updated', object: { _type: 'jumpcloud_user', _key: `k${i}`, name: '>'.repeat(5_000), webLink: null }, changes: many }),
    );
    const [only] = webhookBodies({ rule, format: 'slack', findings: input, instance: null, runId: 1 });
    const message = JSON.parse(only.body) as { blocks: { type: string; text: { text: string } }[] };
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    for (const block of message.blocks) expect(block.text.text.length).toBeLessThanOrEqual(3000);
    const lines = message.blocks.slice(1).flatMap((b) => b.text.text.split('\n'));
    expect(lines.filter((l) => l.startsWith('• '))).toHaveLength(50);
    expect(lines[0]).toMatch(/^• &gt;(&gt;)*… \(`jumpcloud_user`\) updated: property0: "(&lt;)+…/);
    expect(lines[0]).toMatch(/; and \d+ more changes$/);
    // An escape is never cut in half.
    expect(message.blocks.map((b) => b.text.text).join('\n')).not.toMatch(/&(?!amp;|lt;|gt;)/);
  });
});

describe('deliverWebhook, against a real receiver', () => {
  const receiver = new WebhookReceiver();
  let url: string;
  const json: WebhookAction = { type: 'webhook', url: '', format: 'json' };

  beforeAll(async () => {
    url = await receiver.start();
    json.url = url;
  });
  afterEach(() => receiver.reset());
  afterAll(() => receiver.stop());

  function options(overrides: Partial<DeliverWebhookOptions> = {}): DeliverWebhookOptions {
    return { action: json, rule, findings: findings(3), instance: 'org-1', runId: 42, retry, sleep: recordingSleep().sleep, ...overrides };
  }

  it('sends 120 findings as 3 json parts of 50, 50 and 20, every finding exactly once', async () => {
    const all = findings(120);
    const result = await deliverWebhook(options({ findings: all }));

    expect(result).toEqual({ delivered: all.map((f) => f.id), failed: [], attempts: 3, messages: 3 });
    const payloads = receiver.received.map((r) => r.json as { findings: unknown[]; part: number; parts: number; runId: number; instance: string });
    expect(payloads.map((p) => [p.findings.length, p.part, p.parts])).toEqual([
      [50, 1, 3],
      [50, 2, 3],
      [20, 3, 3],
    ]);
    expect(payloads.every((p) => p.runId === 42 && p.instance === 'org-1')).toBe(true);
    expect(receiver.findingIds().sort()).toEqual(all.map((f) => f.id).sort());
    expect(new Set(receiver.findingIds()).size).toBe(120);

    const headers = receiver.received.map((r) => r.headers);
    expect(headers.every((h) => h['content-type'] === 'application/json' && h['user-agent'] === 'jumpcloud-graph-alerting')).toBe(true);
    // One delivery id per body.
    expect(new Set(headers.map((h) => h['x-jumpcloud-graph-delivery'])).size).toBe(3);
    expect(headers[0]['x-jumpcloud-graph-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers[0]['x-jumpcloud-graph-signature']).toBeUndefined();
  });

  it('signs the exact body with HMAC-SHA256 of the secret', async () => {
    const secret = 'a shared secret';
    const result = await deliverWebhook(options({ secret, userAgent: 'tests/1' }));

    expect(result.delivered).toHaveLength(3);
    const [request] = receiver.received;
    expect(request.headers['user-agent']).toBe('tests/1');
    const signature = request.headers['x-jumpcloud-graph-signature'];
    expect(signature).toBe(hmac(request.body, secret));
    expect(signature).not.toBe(hmac(request.body, 'the wrong secret'));
    expect(WebhookReceiver.verify(request.body, signature, secret)).toBe(true);
    expect(WebhookReceiver.verify(request.body, signature, 'the wrong secret')).toBe(false);
    expect(WebhookReceiver.verify(`${request.body} `, signature, secret)).toBe(false);
  });

  it('retries 503, 503 then delivers on 200, with the same delivery id on all three attempts', async () => {
    receiver.respondWith([503, 503]);
    const { delays, sleep } = recordingSleep();
    const all = findings(3);
    const result = await deliverWebhook(options({ findings: all, sleep, random: () => 0.5 }));

    expect(result).toEqual({ delivered: all.map((f) => f.id), failed: [], attempts: 3, messages: 1 });
    expect(receiver.received.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(new Set(receiver.received.map((r) => r.headers['x-jumpcloud-graph-delivery'])).size).toBe(1);
    // Backoff with jitter (random 0.5): half of 100, then half of 200.
    expect(delays).toEqual([50, 100]);
    // Each finding is in exactly one request answered 200; the refused attempts carried them too.
    expect(receiver.findingIds()).toEqual(all.map((f) => f.id));
    expect(receiver.findingIds('all')).toHaveLength(9);
  });

  it("waits the server's Retry-After on 429: 0 and 2 seconds", async () => {
    receiver.respondWith([{ status: 429, retryAfter: '0' }, { status: 429, retryAfter: '2' }]);
    const { delays, sleep } = recordingSleep();
    const result = await deliverWebhook(options({ sleep }));

    expect(result.failed).toEqual([]);
    expect(result.attempts).toBe(3);
    expect(delays).toEqual([0, 2000]);
  });

  it('gives up on 503 after maxAttempts', async () => {
    receiver.respondWith([503, 503, 503]);
    const result = await deliverWebhook(options());

    expect(result).toEqual({ delivered: [], failed: [{ findingIds: ['f-000', 'f-001', 'f-002'], error: 'HTTP 503 after 3 attempts' }], attempts: 3, messages: 0 });
  });

  it('fails at once on 400, without a retry', async () => {
    receiver.respondWith([400]);
    const { delays, sleep } = recordingSleep();
    const result = await deliverWebhook(options({ sleep }));

    expect(result).toEqual({ delivered: [], failed: [{ findingIds: ['f-000', 'f-001', 'f-002'], error: 'HTTP 400: answered 400' }], attempts: 1, messages: 0 });
    expect(receiver.received).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('keeps going after a failed part: the next parts are delivered', async () => {
    receiver.respondWith([413]);
    const all = findings(60);
    const result = await deliverWebhook(options({ findings: all }));

    expect(result.failed).toEqual([{ findingIds: all.slice(0, 50).map((f) => f.id), error: 'HTTP 413: answered 413' }]);
    expect(result.delivered).toEqual(all.slice(50).map((f) => f.id));
    expect(result).toMatchObject({ attempts: 2, messages: 1 });
  });

  it('fails with a one-line error after maxAttempts when nothing listens on the port', async () => {
    const closed = new WebhookReceiver();
    const deadUrl = await closed.start();
    await closed.stop();
    const { delays, sleep } = recordingSleep();
    const result = await deliverWebhook(options({ action: { ...json, url: `${deadUrl}hook/secret-path` }, sleep }));

    expect(result.delivered).toEqual([]);
    expect(result.attempts).toBe(3);
    expect(delays).toHaveLength(2);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0].findingIds).toEqual(['f-000', 'f-001', 'f-002']);
    expect(result.failed[0].error).toMatch(/^no answer after 3 attempts: .*ECONNREFUSED/);
    expect(result.failed[0].error).not.toMatch(/\n|secret-path/);
  });

  it('refuses an http URL to a host that is not loopback, without a request', async () => {
    const result = await deliverWebhook(options({ action: { ...json, url: 'http://hooks.example.com/x' } }));

    expect(result.delivered).toEqual([]);
    expect(result.failed).toEqual([{ findingIds: ['f-000', 'f-001', 'f-002'], error: expect.stringMatching(/^the webhook URL is http:\/\/ to hooks\.example\.com, which is not loopback/) }]);
    expect(result).toMatchObject({ attempts: 0, messages: 0 });
    // Reported with no findings too; a good URL with none sends nothing.
    const none = await deliverWebhook(options({ action: { ...json, url: 'http://hooks.example.com/x' }, findings: [] }));
    expect(none.failed).toEqual([{ findingIds: [], error: expect.stringMatching(/not loopback/) }]);
    expect(await deliverWebhook(options({ findings: [] }))).toEqual({ delivered: [], failed: [], attempts: 0, messages: 0 });
    expect(receiver.received).toHaveLength(0);
  });

  it('slack: 60 findings in one message, 50 listed then "and 10 more", graph text escaped', async () => {
    const all = findings(60);
    all[0] = finding(0, { object: { _type: 'jumpcloud_user', _key: 'k0', name: 'Ann <img> & co', webLink: 'https://console.jumpcloud.com/#/users/k0?a=1&b=2' } });
    all[1] = finding(1, { kind: 'updated', changes: { jobTitle: { from: 'A', to: 'B' }, _rawData: {} } });
    all[2] = finding(2, { kind: 'deleted', object: { _type: 'jumpcloud_user', _key: 'key-<2>', name: null, webLink: null } });
    const result = await deliverWebhook(options({ action: { ...json, format: 'slack' }, findings: all, rule: { ...rule, name: 'MFA <off>' } }));

    expect(result).toEqual({ delivered: all.map((f) => f.id), failed: [], attempts: 1, messages: 1 });
    expect(receiver.received).toHaveLength(1);
    const message = receiver.received[0].json as { text: string; blocks: { type: string; text: { type: string; text: string } }[] };
    expect(Object.keys(message)).toEqual(['text', 'blocks']);
    expect(message.text).toBe('HIGH MFA &lt;off&gt;: 60 findings');
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.blocks[0].text.text).toContain('*HIGH* MFA &lt;off&gt;');
    for (const block of message.blocks) {
      expect(block).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
      expect(block.text.text.length).toBeLessThanOrEqual(3000);
    }
    const lines = message.blocks.slice(1).flatMap((b) => b.text.text.split('\n'));
    expect(lines.filter((l) => l.startsWith('• '))).toHaveLength(50);
    expect(lines[lines.length - 1]).toBe('and 10 more');
    expect(lines[0]).toBe('• <https://console.jumpcloud.com/#/users/k0?a=1&amp;b=2|Ann &lt;img&gt; &amp; co> (`jumpcloud_user`) result');
    expect(lines[1]).toBe('• <https://console.jumpcloud.com/#/users/user-1/details|User 1> (`jumpcloud_user`) updated: jobTitle: "A" → "B"; _rawData');
    expect(lines[2]).toBe('• key-&lt;2&gt; (`jumpcloud_user`) deleted');
    expect(receiver.received[0].body).not.toContain('<img>');
  });

  it('times out an attempt that gets no answer, retries it, then fails', async () => {
    const silent = await silentServer();
    try {
      const result = await deliverWebhook(options({ action: { ...json, url: silent.url }, timeoutMs: 50, retry: { ...retry, maxAttempts: 2 } }));
      expect(result.failed).toEqual([{ findingIds: ['f-000', 'f-001', 'f-002'], error: 'no answer after 2 attempts: timed out after 50 ms' }]);
      expect(result.attempts).toBe(2);
      expect(silent.requests).toHaveLength(2);
    } finally {
      await silent.close();
    }
  });

  it("stops at once on abort, rejecting with the signal's reason", async () => {
    const silent = await silentServer();
    try {
      const controller = new AbortController();
      const reason = new Error('shutting down');
      const pending = deliverWebhook(options({ action: { ...json, url: silent.url }, signal: controller.signal }));
      await silent.firstRequest;
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      // An abort before the start sends nothing.
      await expect(deliverWebhook(options({ signal: controller.signal }))).rejects.toBe(reason);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await silent.close();
    }
  });
});

/** A real server that reads requests and never answers them. */
async function silentServer(): Promise<{ url: string; requests: IncomingMessage[]; firstRequest: Promise<void>; close: () => Promise<void> }> {
  const requests: IncomingMessage[] = [];
  let arrived: () => void = () => undefined;
  const firstRequest = new Promise<void>((resolve) => (arrived = resolve));
  const server: Server = createServer((request) => {
    requests.push(request);
    request.resume();
    arrived();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    firstRequest,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
