import { ConfigurationError, IntegrationError, SourceAuthError, SourceFeatureUnavailableError, SourceRequestError } from './errors';

describe('IntegrationError subclasses', () => {
  it('carry a stable code, fatality and the cause', () => {
    const cause = new Error('socket hang up');
    const err = new SourceRequestError('GET /systemusers failed', { cause });
    expect(err).toBeInstanceOf(IntegrationError);
    expect(err.code).toBe('SOURCE_REQUEST_ERROR');
    expect(err.fatal).toBe(false);
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('SourceRequestError');
  });

  it('marks authentication and configuration errors fatal', () => {
    expect(new SourceAuthError('401').fatal).toBe(true);
    expect(new ConfigurationError('bad flag').fatal).toBe(true);
  });

  it('keeps a feature the plan lacks apart from an authentication error: not fatal, its own code', () => {
    const err = new SourceFeatureUnavailableError('System Insights is not on the plan');
    expect([err.code, err.fatal, err instanceof SourceAuthError]).toEqual(['SOURCE_FEATURE_UNAVAILABLE', false, false]);
  });
});
