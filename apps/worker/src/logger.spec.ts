import { Writable } from 'node:stream';
import { resolveWorkerConfig } from './config/worker-config';
import { createWorkerLogger } from './logger';

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
  literal: 'literal-key-9988aa',
  redis: 'redis-password-4433',
  admin: 'admin-token-5566bb',
};

describe('the worker logger', () => {
  it('writes no secret of a configuration logged whole, at any depth, nor the Redis password or the admin token', () => {
    const config = resolveWorkerConfig(
      {
        redisUrl: `redis://:${SECRETS.redis}@127.0.0.1:6379/0`,
        instances: [
          { id: 'env', jumpcloud: { apiKeyEnv: 'JC_KEY' }, target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT' } },
          { id: 'literal', jumpcloud: { apiKey: SECRETS.literal }, target: { type: 'local', db: 'x.db' } },
        ],
      },
      { JC_KEY: SECRETS.jumpcloud, J1_KEY: SECRETS.jupiterone, J1_ACCOUNT: 'acct' },
    );
    const { stream, text } = capture();
    const logger = createWorkerLogger('debug', stream);
    logger.info({ config }, 'configuration');
    logger.child({ instance: 'env' }).info({ instance: config.instances[0] }, 'instance');
    logger.warn({ redis: `redis://:${SECRETS.redis}@127.0.0.1:6379` }, 'redis');
    logger.info({ env: { WORKER_ADMIN_TOKEN: SECRETS.admin }, headers: { authorization: `Bearer ${SECRETS.admin}` } }, 'http');
    logger.error({ err: new Error(`cannot reach redis://default:${SECRETS.redis}@10.0.0.2:6379`) }, 'failed');
    const written = text();
    expect(written.split('\n').filter((line) => line !== '')).toHaveLength(5);
    for (const secret of Object.values(SECRETS)) expect(written).not.toContain(secret);
    expect(written).toContain('[REDACTED]');
    expect(written).toContain('"account":"acct"');
  });
});
