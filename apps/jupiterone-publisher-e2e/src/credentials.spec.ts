import { ConfigurationError, TargetAuthError } from '@jumpcloud-graph/domain';
import { JupiterOneSyncPublisher } from '@jumpcloud-graph/jupiterone-publisher';
import { ACCOUNT, API_KEY, dataset, ORG, withFake, writeAll } from './support';

/** `verifyCredentials`: a harmless GraphQL read that tells a good key from a bad one, and the URL rule. */

describe('JupiterOneSyncPublisher.verifyCredentials', () => {
  it('accepts the right key and account, writes nothing, and finds a published account', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      await expect(publisher().verifyCredentials()).resolves.toEqual({ accountsFound: 0 });
      expect(fake.jobs()).toEqual([]);

      const session = await publisher().openSession({ description: 'Acme', organizationIds: [ORG] });
      const data = dataset(3);
      expect(data.entities.filter((e) => e._type === 'jumpcloud_account')).toHaveLength(1);
      await writeAll(session, data);
      await session.finish({ partialTypes: [] });
      await expect(publisher().verifyCredentials()).resolves.toEqual({ accountsFound: 1 });
      expect(fake.requests().filter((r) => r.endpoint === 'graphql').map((r) => r.status)).toEqual([200, 200]);
    });
  });

  it('refuses a wrong key or a wrong account as an authentication error, without retrying', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      await expect(publisher({ apiKey: 'not-the-key' }).verifyCredentials()).rejects.toThrow(TargetAuthError);
      await expect(publisher({ account: 'another-account' }).verifyCredentials()).rejects.toThrow(/HTTP 403/);
      expect(fake.requests().filter((r) => r.endpoint === 'graphql')).toHaveLength(2);
    });
  });

  it('never sends the key to an http URL that is not loopback, nor to a URL with credentials', () => {
    const options = { apiKey: API_KEY, account: ACCOUNT, target: {}, logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } };
    expect(() => new JupiterOneSyncPublisher({ ...options, baseUrl: 'http://api.example.com' })).toThrow(ConfigurationError);
    expect(() => new JupiterOneSyncPublisher({ ...options, baseUrl: 'https://user:pw@api.example.com' })).toThrow(/credentials/);
    expect(() => new JupiterOneSyncPublisher({ ...options, baseUrl: 'http://api.example.com', allowInsecureHttp: true })).not.toThrow();
    expect(() => new JupiterOneSyncPublisher({ ...options, baseUrl: 'http://127.0.0.1:9' })).not.toThrow();
  });
});
