import { ConfigurationError, silentLogger } from '@jumpcloud-graph/domain';
import { jobState, summarizeJob } from './jupiterone-job';
import { jupiterOneBaseUrl } from './jupiterone-region';
import { defaultJupiterOneScope, jupiterOneJobConfiguration, JupiterOneSyncPublisher } from './jupiterone-sync-publisher';

describe('jupiterOneBaseUrl', () => {
  it('knows the regions', () => {
    expect(jupiterOneBaseUrl('us')).toBe('https://api.us.jupiterone.io');
    expect(jupiterOneBaseUrl('EU')).toBe('https://api.eu.jupiterone.io');
  });

  it('takes a URL: origin and path, no trailing slash, query or fragment', () => {
    expect(jupiterOneBaseUrl('http://127.0.0.1:4010/')).toBe('http://127.0.0.1:4010');
    expect(jupiterOneBaseUrl('https://proxy.example.com/j1/api//?x=1#y')).toBe('https://proxy.example.com/j1/api');
  });

  it('refuses anything else clearly', () => {
    expect(() => jupiterOneBaseUrl('mars')).toThrow(ConfigurationError);
    expect(() => jupiterOneBaseUrl('mars')).toThrow(/neither a region \(us, eu\) nor an http\(s\) URL/);
    expect(() => jupiterOneBaseUrl('ftp://example.com')).toThrow(/http or https/);
    expect(() => jupiterOneBaseUrl('https://user:secret@example.com')).toThrow(/must not carry credentials/);
  });
});

describe('the job target', () => {
  it('derives the scope from the organizations, in a stable order', () => {
    expect(defaultJupiterOneScope(['org-1'])).toBe('jumpcloud-graph:org-1');
    expect(defaultJupiterOneScope(['org-b', 'org-a', 'org-b'])).toBe('jumpcloud-graph:org-a+org-b');
  });

  it('needs organizations when no scope is given', () => {
    expect(() => defaultJupiterOneScope([])).toThrow(ConfigurationError);
    expect(() => jupiterOneJobConfiguration({}, undefined)).toThrow(ConfigurationError);
  });

  it('builds the start-job bodies', () => {
    expect(jupiterOneJobConfiguration({}, ['o1'])).toEqual({ source: 'api', scope: 'jumpcloud-graph:o1', syncMode: 'DIFF' });
    expect(jupiterOneJobConfiguration({ scope: 'mine' }, ['o1'])).toEqual({ source: 'api', scope: 'mine', syncMode: 'DIFF' });
    expect(jupiterOneJobConfiguration({ integrationInstanceId: 'ii-1' }, ['o1'])).toEqual({
      source: 'integration-external',
      integrationInstanceId: 'ii-1',
      syncMode: 'DIFF',
    });
  });
});

describe('options', () => {
  const base = { apiKey: 'k'.repeat(32), account: 'acct', baseUrl: 'http://127.0.0.1:1', target: {}, logger: silentLogger };

  it('are checked when the publisher is made', () => {
    expect(() => new JupiterOneSyncPublisher(base)).not.toThrow();
    expect(() => new JupiterOneSyncPublisher({ ...base, apiKey: ' ' })).toThrow(ConfigurationError);
    expect(() => new JupiterOneSyncPublisher({ ...base, account: '' })).toThrow(/account/);
    expect(() => new JupiterOneSyncPublisher({ ...base, baseUrl: 'us' })).toThrow(/base URL/);
    expect(() => new JupiterOneSyncPublisher({ ...base, batchBytes: 10 })).toThrow(/batchBytes/);
    expect(() => new JupiterOneSyncPublisher({ ...base, uploadConcurrency: 0 })).toThrow(/uploadConcurrency/);
    expect(() => new JupiterOneSyncPublisher({ ...base, maxAttempts: 1.5 })).toThrow(/maxAttempts/);
    expect(() => new JupiterOneSyncPublisher({ ...base, target: { integrationInstanceId: '' } })).toThrow(/instance/);
  });
});

describe('job status', () => {
  it('tells running from ended', () => {
    expect(jobState('FINISHED')).toBe('finished');
    for (const status of ['AWAITING_UPLOADS', 'FINALIZE_PENDING', 'FINALIZING_ENTITIES', 'FINALIZING_RELATIONSHIPS']) {
      expect(jobState(status)).toBe('running');
    }
    for (const status of ['ABORTED', 'ERROR_BAD_DATA', 'SOMETHING_NEW']) expect(jobState(status)).toBe('failed');
  });

  it('summarizes the counts, mapped relationships among relationships', () => {
    expect(
      summarizeJob({
        id: 'j',
        status: 'FINISHED',
        numEntitiesCreated: 3,
        numEntitiesDeleted: 1,
        numRelationshipsCreated: 2,
        numMappedRelationshipsCreated: 5,
      }),
    ).toEqual({
      id: 'j',
      status: 'FINISHED',
      entitiesCreated: 3,
      entitiesUpdated: 0,
      entitiesDeleted: 1,
      relationshipsCreated: 7,
      relationshipsUpdated: 0,
      relationshipsDeleted: 0,
    });
  });
});
