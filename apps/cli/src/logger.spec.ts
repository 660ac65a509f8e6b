import { Writable } from 'node:stream';
import { resolveSyncConfig } from './config/sync-config';
import { createLogger } from './logger';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const SECRETS = {
  jumpcloud: 'jc-secret-0f9e8d7c6b5a',
  jupiterone: 'j1-secret-1a2b3c4d5e6f',
  password: 'proxy-password-77aa',
};

describe('the CLI logger', () => {
  it('writes no secret of a configuration logged whole, nested, or inside a URL or an error', () => {
    const config = resolveSyncConfig(
      { jumpcloudApiKey: SECRETS.jumpcloud, target: 'jupiterone', jupiteroneApiKey: SECRETS.jupiterone, jupiteroneAccount: 'acct' },
      {},
    );
    const { stream, text } = capture();
    const logger = createLogger('debug', stream);
    logger.info({ config }, 'configuration');
    logger.info({ run: { settings: { config } } }, 'nested');
    logger.warn({ headers: { 'x-api-key': SECRETS.jumpcloud, Authorization: `Bearer ${SECRETS.jupiterone}` } }, 'headers');
    logger.error({ error: new Error(`fetch https://user:${SECRETS.password}@proxy.example.com failed`) }, 'failed');
    logger.info({ env: { JUMPCLOUD_API_KEY: SECRETS.jumpcloud, JUPITERONE_API_KEY: SECRETS.jupiterone } }, 'environment');
    const written = text();
    expect(written.split('\n').filter((line) => line !== '')).toHaveLength(5);
    for (const secret of Object.values(SECRETS)) expect(written).not.toContain(secret);
    expect(written).toContain('[REDACTED]');
    expect(written).toContain('"jupiteroneAccount":"acct"');
  });
});
