import {
  BatchAccumulator,
  batchBySize,
  bodyBytes,
  envelopeBytes,
  requestBody,
  serializeObject,
  splitBatch,
  TRUNCATED_MARKER,
  truncateRawData,
} from './jupiterone-batching';

const entity = (i: number, extra: Record<string, unknown> = {}) => ({
  _key: `user-${i}`,
  _type: 'jumpcloud_user',
  _class: ['User'],
  name: `ü-${i}`, // multi-byte: sizes are bytes, not characters
  ...extra,
});

describe('request bodies', () => {
  it('measures the body in UTF-8 bytes, envelope and commas included', () => {
    const objects = [1, 2, 3].map((i) => serializeObject(entity(i)));
    const body = requestBody('entities', objects);
    expect(JSON.parse(body)).toEqual({ entities: [entity(1), entity(2), entity(3)] });
    expect(bodyBytes('entities', objects)).toBe(Buffer.byteLength(body));
    expect(bodyBytes('relationships', [])).toBe(Buffer.byteLength('{"relationships":[]}'));
    expect(envelopeBytes('entities')).toBe('{"entities":[]}'.length);
    expect(objects[0].bytes).toBe(Buffer.byteLength(objects[0].json));
    expect(objects[0].bytes).toBeGreaterThan(objects[0].json.length);
  });

  it('keeps a mapped relationship as it is', () => {
    const mapped = {
      _key: 'u1|is|employee',
      _type: 'jumpcloud_user_is_employee',
      _class: 'IS',
      _mapping: { relationshipDirection: 'FORWARD', sourceEntityKey: 'u1', targetFilterKeys: [['_type', 'email']], skipTargetCreation: false, targetEntity: { _type: 'employee', email: 'a@b.c' } },
    };
    const body = requestBody('relationships', [serializeObject(mapped)]);
    expect(JSON.parse(body)).toEqual({ relationships: [mapped] });
  });
});

describe('batching by size', () => {
  const objects = Array.from({ length: 500 }, (_, i) => serializeObject(entity(i, { description: 'x'.repeat(i % 50) })));

  it.each([200, 1_000, 5_000, 50_000])('never lets a body pass %i bytes and keeps every object in order', (limit) => {
    const batches = batchBySize('entities', objects, limit);
    for (const batch of batches) {
      expect(batch.length).toBeGreaterThan(0);
      if (batch.length > 1) expect(bodyBytes('entities', batch)).toBeLessThanOrEqual(limit);
    }
    expect(batches.flat().map((o) => o.key)).toEqual(objects.map((o) => o.key));
  });

  it('fills each batch: the next object would not have fitted', () => {
    const limit = 2_000;
    const batches = batchBySize('entities', objects, limit);
    for (let i = 0; i < batches.length - 1; i += 1) {
      expect(bodyBytes('entities', [...batches[i], batches[i + 1][0]])).toBeGreaterThan(limit);
    }
  });

  it('gives an object larger than the limit a batch of its own', () => {
    const big = serializeObject(entity(9, { description: 'y'.repeat(3_000) }));
    const batches = batchBySize('entities', [objects[0], big, objects[1]], 1_000);
    expect(batches.map((b) => b.map((o) => o.key))).toEqual([['user-0'], ['user-9'], ['user-1']]);
  });

  it('tracks the pending body exactly', () => {
    const accumulator = new BatchAccumulator('relationships', 10_000);
    expect(accumulator.wouldOverflow(1_000_000)).toBe(false); // an empty batch takes anything
    objects.slice(0, 7).forEach((o) => accumulator.add(o));
    expect(accumulator.bodyBytes).toBe(bodyBytes('relationships', objects.slice(0, 7)));
    expect(accumulator.take()).toHaveLength(7);
    expect(accumulator.size).toBe(0);
    expect(accumulator.bodyBytes).toBe(envelopeBytes('relationships'));
  });
});

describe('splitBatch', () => {
  it('halves, the first half taking the odd one', () => {
    expect(splitBatch([1, 2, 3, 4, 5])).toEqual([[1, 2, 3], [4, 5]]);
    expect(splitBatch([1, 2])).toEqual([[1], [2]]);
    expect(splitBatch([1])).toEqual([[1], []]);
  });
});

describe('truncateRawData', () => {
  const withRawData = () =>
    entity(1, {
      _rawData: [
        {
          name: 'default',
          rawData: {
            id: 'abc',
            huge: 'h'.repeat(20_000),
            nested: { notes: ['n'.repeat(8_000), 'short'], count: 3 },
            medium: 'm'.repeat(2_000),
          },
        },
        { name: 'numbers', rawData: { values: Array.from({ length: 3_000 }, (_, i) => i) } },
      ],
    });

  it('leaves an object that fits alone', () => {
    const json = JSON.stringify(withRawData());
    const result = truncateRawData(json, json.length + 10);
    expect(result).toMatchObject({ changed: false, fits: true, json });
  });

  it('replaces the largest strings first, only as many as needed, keeping the properties', () => {
    const original = withRawData();
    const json = JSON.stringify(original);
    const result = truncateRawData(json, Buffer.byteLength(json) - 15_000);
    expect(result).toMatchObject({ changed: true, fits: true, valuesReplaced: 1, entriesReplaced: 0, rawDataRemoved: false });
    expect(result.bytes).toBe(Buffer.byteLength(result.json));
    const parsed = JSON.parse(result.json);
    expect(parsed._rawData[0].rawData.huge).toBe(TRUNCATED_MARKER);
    expect(parsed._rawData[0].rawData.medium).toBe('m'.repeat(2_000));
    expect(parsed.name).toBe(original.name);
    expect(Object.keys(parsed)).toEqual(Object.keys(original));
  });

  it('goes into nested objects and arrays', () => {
    const json = JSON.stringify(withRawData());
    const result = truncateRawData(json, Buffer.byteLength(json) - 26_000);
    const parsed = JSON.parse(result.json);
    expect(result.valuesReplaced).toBe(2);
    expect(parsed._rawData[0].rawData.nested.notes).toEqual([TRUNCATED_MARKER, 'short']);
    expect(parsed._rawData[0].rawData.nested.count).toBe(3);
  });

  it('then replaces whole entries, then removes _rawData', () => {
    const json = JSON.stringify(withRawData());
    const noNumbers = truncateRawData(json, 2_000);
    expect(noNumbers).toMatchObject({ fits: true, entriesReplaced: 1, rawDataRemoved: false });
    expect(JSON.parse(noNumbers.json)._rawData[1]).toEqual({ name: 'numbers', rawData: { [TRUNCATED_MARKER]: true } });

    const bare = truncateRawData(json, 160);
    expect(bare).toMatchObject({ changed: true, rawDataRemoved: true });
    expect(JSON.parse(bare.json)).toEqual(entity(1));
    expect(bare.fits).toBe(bare.bytes <= 160);
  });

  it('reports an object without _rawData as unchanged and not fitting', () => {
    const json = JSON.stringify(entity(1, { description: 'z'.repeat(5_000) }));
    expect(truncateRawData(json, 1_000)).toMatchObject({ changed: false, fits: false, json });
  });
});
