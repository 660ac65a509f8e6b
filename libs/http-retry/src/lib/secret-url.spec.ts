import { checkSecretUrl, InsecureUrlError, isLoopbackHost } from './secret-url';

describe('checkSecretUrl', () => {
  const what = 'the test URL';

  it.each(['https://api.us.jupiterone.io', 'https://console.jumpcloud.com/', 'http://127.0.0.1:4010', 'http://localhost:8080', 'http://[::1]:9000'])(
    'accepts %s',
    (raw) => {
      expect(checkSecretUrl(raw, { what }).href).toBe(new URL(raw).href);
    },
  );

  it.each([
    ['http://api.example.com', /not loopback/],
    ['http://10.0.0.5:8080', /not loopback/],
    ['http://127.0.0.1.example.com', /not loopback/],
    ['ftp://api.example.com', /must be an https URL/],
    ['not a url', /is not a URL/],
    ['https://user:secret@api.example.com', /must not carry credentials/],
    ['http://:secret@127.0.0.1:4010', /must not carry credentials/],
  ])('refuses %s', (raw, message) => {
    expect(() => checkSecretUrl(raw, { what })).toThrow(InsecureUrlError);
    expect(() => checkSecretUrl(raw, { what })).toThrow(message);
  });

  it('allows http to any host only when asked, and never userinfo', () => {
    expect(checkSecretUrl('http://api.example.com', { what, allowInsecureHttp: true }).host).toBe('api.example.com');
    expect(() => checkSecretUrl('http://u:p@api.example.com', { what, allowInsecureHttp: true })).toThrow(/credentials/);
  });

  it('never echoes the credentials of a refused URL', () => {
    try {
      checkSecretUrl('https://admin:hunter2@api.example.com', { what });
      throw new Error('not refused');
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.8.9.10')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('localhost.example.com')).toBe(false);
  });
});
