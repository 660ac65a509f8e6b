import { createHmac } from 'node:crypto';
import { createRequestFetch } from '@jumpcloud-graph/http-retry';
import { WebhookReceiver } from './webhook-receiver';

const fetch = createRequestFetch();

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new Request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }));
}

describe('WebhookReceiver', () => {
  const receiver = new WebhookReceiver();
  let url: string;

  beforeAll(async () => {
    url = await receiver.start();
  });
  afterEach(() => receiver.reset());
  afterAll(() => receiver.stop());

  it('listens on 127.0.0.1 and records each request: headers, raw body, parsed JSON, answer', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const response = await post(url, '{"findings":[{"id":"a"}]}', { 'X-Custom': 'yes' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    await post(`${url}other`, 'not json');

    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received;
    expect(first).toMatchObject({ body: '{"findings":[{"id":"a"}]}', json: { findings: [{ id: 'a' }] }, status: 200 });
    expect(first.headers['x-custom']).toBe('yes');
    expect(first.headers['content-type']).toBe('application/json');
    expect(typeof first.at).toBe('number');
    expect(second).toMatchObject({ body: 'not json', json: undefined });
  });

  it('answers with the script, one status per request, then 200 again', async () => {
    receiver.respondWith([503, { status: 429, retryAfter: '7' }]);
    const statuses: number[] = [];
    const retryAfters: (string | null)[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await post(url, '{}');
      statuses.push(response.status);
      retryAfters.push(response.headers.get('retry-after'));
    }
    expect(statuses).toEqual([503, 429, 200]);
    expect(retryAfters).toEqual([null, '7', null]);
    expect(receiver.received.map((r) => r.status)).toEqual([503, 429, 200]);
  });

  it('lists the finding ids of accepted JSON payloads, or of every payload', async () => {
    receiver.respondWith([500]);
    await post(url, JSON.stringify({ findings: [{ id: 'x' }, { id: 'y' }] }));
    await post(url, JSON.stringify({ findings: [{ id: 'x' }, { id: 'y' }] }));
    await post(url, JSON.stringify({ text: 'a Slack message has no findings array' }));
    await post(url, JSON.stringify({ findings: [{ id: 'z' }, { noId: true }, 'junk'] }));

    expect(receiver.findingIds()).toEqual(['x', 'y', 'z']);
    expect(receiver.findingIds('all')).toEqual(['x', 'y', 'x', 'y', 'z']);
  });

  it('verifies a sha256= signature in constant time, refusing a wrong secret, body or header', () => {
    const body = '{"a":"é"}';
    const header = `sha256=${createHmac('sha256', 's3cret').update(Buffer.from(body, 'utf8')).digest('hex')}`;

    expect(WebhookReceiver.verify(body, header, 's3cret')).toBe(true);
    expect(WebhookReceiver.verify(body, header.toUpperCase().replace('SHA256=', 'sha256='), 's3cret')).toBe(true);
    expect(WebhookReceiver.verify(body, header, 'other')).toBe(false);
    expect(WebhookReceiver.verify('{"a":"e"}', header, 's3cret')).toBe(false);
    expect(WebhookReceiver.verify(body, header.slice('sha256='.length), 's3cret')).toBe(false);
    expect(WebhookReceiver.verify(body, `${header}00`, 's3cret')).toBe(false);
    expect(WebhookReceiver.verify(body, '', 's3cret')).toBe(false);
  });

  it('tells onReceive of each request as it comes, and listens on the port asked for', async () => {
    const seen: string[] = [];
    const probe = new WebhookReceiver();
    const free = Number(new URL(await probe.start()).port);
    await probe.stop();
    const other = new WebhookReceiver({ port: free, onReceive: (received) => seen.push(received.body) });
    expect(await other.start()).toBe(`http://127.0.0.1:${free}/`);
    try {
      await post(other.url, '{"n":1}');
      await post(other.url, '{"n":2}');
      expect(seen).toEqual(['{"n":1}', '{"n":2}']);
    } finally {
      await other.stop();
    }
  });

  it('has no URL before it starts, cannot start twice, and stops idempotently', async () => {
    const other = new WebhookReceiver();
    expect(() => other.url).toThrow('not started');
    const otherUrl = await other.start();
    await expect(other.start()).rejects.toThrow('already started');
    await post(otherUrl, '{}');
    await other.stop();
    await other.stop();
    await expect(post(otherUrl, '{}')).rejects.toThrow();
  });
});
