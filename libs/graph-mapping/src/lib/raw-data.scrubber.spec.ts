import { scrubRawData } from './raw-data.scrubber';

const keepKeys = { includeSshKeys: true };
const dropKeys = { includeSshKeys: false };

describe('scrubRawData', () => {
  it('removes application config entirely', () => {
    expect(scrubRawData('application', { _id: 'a', name: 'x', config: { idpPrivateKey: { value: 'pem' } } }, dropKeys)).toEqual({ _id: 'a', name: 'x' });
  });

  it('keeps a field named config on kinds other than applications', () => {
    expect(scrubRawData('system', { _id: 's', config: { ssh: true } }, dropKeys)).toEqual({ _id: 's', config: { ssh: true } });
  });

  it.each(['organization', 'user', 'group', 'application', 'system', 'system_group', 'policy'] as const)(
    'removes API keys, their hashes and passwords at any depth from a %s',
    (kind) => {
      const raw = {
        _id: 'x',
        apiKeyHash: { hash: 'h1' },
        api_key: 'k1',
        nested: { apiKey: 'k2', 'x-api-key': 'k3', list: [{ ApiKeyHash: 'h2', password: 'p1', keep: 1 }] },
        password: 'p2',
        password_expired: false,
      };
      const scrubbed = scrubRawData(kind, raw, keepKeys);
      expect(scrubbed).toEqual({ _id: 'x', nested: { list: [{ keep: 1 }] }, password_expired: false });
    },
  );

  it("drops users' SSH public keys unless asked to keep them", () => {
    const raw = { _id: 'u', public_key: 'ssh-rsa AAA', allow_public_key: true, ssh_keys: [{ _id: 'k', name: 'laptop', public_key: 'ssh-rsa AAA' }] };
    expect(scrubRawData('user', raw, dropKeys)).toEqual({ _id: 'u', allow_public_key: true, ssh_keys: [{ _id: 'k', name: 'laptop' }] });
    expect(scrubRawData('user', raw, keepKeys)).toEqual(raw);
  });

  it('returns a deep copy and leaves its input untouched', () => {
    const raw = { _id: 'u', password: 'p', mfa: { configured: true }, tags: ['a'] };
    const before = JSON.parse(JSON.stringify(raw)) as unknown;
    const scrubbed = scrubRawData('user', raw, dropKeys);
    (scrubbed['mfa'] as Record<string, unknown>)['configured'] = false;
    (scrubbed['tags'] as string[]).push('b');
    expect(raw).toEqual(before);
  });

  it('leaves out undefined values so the result is plain JSON', () => {
    const scrubbed = scrubRawData('group', { id: 'g', description: undefined, list: [undefined, 1] }, dropKeys);
    expect(scrubbed).toEqual({ id: 'g', list: [null, 1] });
    expect(Object.keys(scrubbed)).not.toContain('description');
  });
});
