import { FakeApiError } from './api-error';
import { datasetId, SynchronizationState } from './synchronization';

function entity(key: string, type = 'test_entity', extra: Record<string, unknown> = {}) {
  return { _key: `${type}:${key}`, _type: type, _class: ['Record'], ...extra };
}

function thrown(fn: () => unknown): FakeApiError {
  try {
    fn();
  } catch (cause) {
    if (cause instanceof FakeApiError) return cause;
    throw cause;
  }
  throw new Error('expected a FakeApiError');
}

describe('SynchronizationState', () => {
  let now = 1_000;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000;
  });

  it('walks a finalized job through the finalizing statuses to FINISHED as time passes', () => {
    const state = new SynchronizationState({ account: 'a', finalizeDelayMs: 300, now: clock });
    const job = state.startJob({ source: 'api', scope: 's' });
    expect(job.startTimestamp).toBe(1_000);
    state.upload(job.id, 'entities', { entities: [entity('one-entity')] });
    expect(state.finalize(job.id, undefined).status).toBe('FINALIZE_PENDING');

    const seen = [0, 100, 200, 299, 300].map((elapsed) => {
      now = 1_000 + elapsed;
      const view = state.status(job.id);
      return [view.status, view.numEntitiesCreated, view.done];
    });
    expect(seen).toEqual([
      ['FINALIZE_PENDING', 0, false],
      ['FINALIZING_ENTITIES', 0, false],
      ['FINALIZING_RELATIONSHIPS', 0, false],
      ['FINALIZING_RELATIONSHIPS', 0, false],
      ['FINISHED', 1, true],
    ]);
    // The graph did not wait for the status.
    now = 1_000;
    expect(state.graph({ scope: 's' }).entities).toHaveLength(1);
  });

  it('reports FINISHED at the first read after finalize when there is no delay', () => {
    const state = new SynchronizationState({ account: 'a', finalizeDelayMs: 0, now: clock });
    const job = state.startJob({ source: 'api', scope: 's' });
    expect(state.finalize(job.id, { partialDatasets: { types: [] } }).status).toBe('FINALIZE_PENDING');
    expect(state.job(job.id)?.status).toBe('FINISHED');
  });

  it('applies finalizes in the order they arrive, whatever order the jobs started in', () => {
    const state = new SynchronizationState({ account: 'a', finalizeDelayMs: 0 });
    const first = state.startJob({ source: 'api', scope: 's' });
    const second = state.startJob({ source: 'api', scope: 's' });
    state.upload(first.id, 'entities', { entities: [entity('from-first')] });
    state.upload(second.id, 'entities', { entities: [entity('from-second')] });
    state.finalize(second.id, {});
    state.finalize(first.id, {});
    expect(state.graph({ scope: 's' }).entities.map((e) => e['_key'])).toEqual(['test_entity:from-first']);
    expect(state.job(first.id)?.numEntitiesDeleted).toBe(1);
    expect(state.jobs().map((job) => job.id)).toEqual([first.id, second.id]);
  });

  it('counts deletions of plain and mapped relationships apart', () => {
    const state = new SynchronizationState({ account: 'a', finalizeDelayMs: 0 });
    state.seed(
      { scope: 's' },
      {
        entities: [],
        relationships: [
          { _key: 'plain-relationship', _type: 't', _class: 'HAS', _fromEntityKey: 'a', _toEntityKey: 'b' },
          {
            _key: 'mapped-relationship',
            _type: 't',
            _class: 'IS',
            _mapping: { relationshipDirection: 'FORWARD', sourceEntityKey: 'a', targetFilterKeys: [['_key']], targetEntity: { _key: 'x' } },
          },
        ],
      },
    );
    const job = state.startJob({ source: 'api', scope: 's' });
    state.finalize(job.id, {});
    expect(state.job(job.id)).toEqual(expect.objectContaining({ numRelationshipsDeleted: 1, numMappedRelationshipsDeleted: 1 }));
  });

  it('throws FakeApiErrors with the status and code to answer', () => {
    const state = new SynchronizationState({ account: 'a', finalizeDelayMs: 0 });
    expect(thrown(() => state.status('missing'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const job = state.startJob({ source: 'api', scope: 's' });
    expect(thrown(() => state.upload(job.id, 'entities', { entities: [{ _key: 'x' }] }))).toMatchObject({ status: 400, code: 'BAD_DATA' });
    expect(thrown(() => state.abort(job.id, { reason: 7 }))).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    state.abort(job.id, undefined);
    expect(thrown(() => state.finalize(job.id, {}))).toMatchObject({ status: 400, code: 'JOB_NOT_AWAITING_UPLOADS' });
  });

  it('rejects seeds with repeated keys', () => {
    const state = new SynchronizationState({ account: 'a', finalizeDelayMs: 0 });
    expect(() => state.seed({ scope: 's' }, { entities: [entity('same-key'), entity('same-key')], relationships: [] })).toThrow(RangeError);
  });

  it('names datasets by scope or instance', () => {
    expect(datasetId({ scope: 'x' })).toBe('scope:x');
    expect(datasetId({ integrationInstanceId: 'x' })).toBe('instance:x');
  });
});
