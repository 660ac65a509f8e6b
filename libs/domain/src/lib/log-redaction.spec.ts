import { REDACTED, redactSecrets } from './log-redaction';

describe('redactSecrets', () => {
  it('censors secret fields at any depth, whatever their case or separators', () => {
    const out = redactSecrets({
      apiKey: 'k1',
      nested: { deeper: { JUMPCLOUD_API_KEY: 'k2', 'X-Api-Key': 'k3', headers: { Authorization: 'Bearer k4' } } },
      list: [{ jupiterone_api_key: 'k5' }, { token: 'k6' }],
      kept: 'visible',
    });
    expect(JSON.stringify(out)).not.toMatch(/k[1-6]/);
    expect(out.kept).toBe('visible');
    expect(out.apiKey).toBe(REDACTED);
  });

  it('removes the userinfo of URLs inside strings and errors', () => {
    const out = redactSecrets({ url: 'redis://:hunter2@10.0.0.1:6379/0', error: new Error('connect to https://u:p4ss@host failed') });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|p4ss/);
    expect(out.url).toBe(`redis://${REDACTED}@10.0.0.1:6379/0`);
  });

  it('does not change its input, and survives cycles', () => {
    const input: Record<string, unknown> = { password: 'x' };
    input['self'] = input;
    const out = redactSecrets(input);
    expect(input['password']).toBe('x');
    expect(out['self']).toBe('[Circular]');
  });
});
