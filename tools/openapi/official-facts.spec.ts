import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * tools/openapi/official-facts.mjs, on small made-up documents: what it extracts of the official
 * documents, and that the check gives the same answer on the extract as on the documents.
 */
const script = join(__dirname, 'official-facts.mjs');

const ours = (thing: Record<string, unknown>, paths: Record<string, unknown> = {}) => ({
  openapi: '3.1.0',
  info: { title: 'ours', version: '1' },
  paths: {
    '/api/things': {
      get: {
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }],
        responses: {
          '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
        },
      },
    },
    ...paths,
  },
  components: { schemas: { Thing: { type: 'object', properties: thing } } },
});

const official = (stateEnum: string[]) => ({
  openapi: '3.1.0',
  info: { title: 'official v1', version: '1', description: 'Long official prose.' },
  paths: {
    '/things': {
      get: {
        summary: 'List things',
        description: 'Official prose about listing things.',
        parameters: [
          { name: 'limit', in: 'query', description: 'How many.', schema: { type: 'integer', example: 10 } },
          { $ref: '#/components/parameters/skip' },
        ],
        responses: {
          '200': { description: 'Things.', content: { 'application/json': { schema: { $ref: '#/components/schemas/thing' } } } },
          '400': { description: 'Bad.' },
        },
      },
      post: { responses: { '201': { description: 'Created.' } } },
    },
    '/unused': { get: { responses: { '200': { description: 'Not ours.' } } } },
  },
  components: {
    parameters: { skip: { name: 'skip', in: 'query', description: 'Offset.', schema: { type: 'integer' } } },
    schemas: {
      thing: {
        type: 'object',
        title: 'Thing',
        description: 'A thing, in official prose.',
        example: { id: 'x' },
        required: ['id'],
        properties: {
          id: { type: 'string', description: 'Its id.' },
          state: { type: 'string', enum: stateEnum },
          name: { type: 'string', format: 'name' },
        },
      },
      unused: { type: 'object', properties: { secret: { type: 'string' } } },
      Error: { type: 'object', properties: { message: { type: 'string' } } },
    },
  },
});

describe('official-facts.mjs', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  const write = (name: string, doc: unknown) => writeFileSync(file(name), JSON.stringify(doc));
  const run = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['JUMPCLOUD_OPENAPI_DOCS'];
    const r = spawnSync(process.execPath, [script, ...args, '--facts', file('facts.json')], { encoding: 'utf8', env });
    return { status: r.status, out: r.stdout + r.stderr };
  };
  const extract = () => run('extract', file('v1.yaml'), file('v2.yaml'), '--ours', file('ours.yaml'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'official-facts-'));
    write('v1.yaml', official(['A', 'B']));
    write('v2.yaml', { openapi: '3.1.0', info: { title: 'official v2', version: '2' }, paths: {} });
    write('ours.yaml', ours({ id: { type: 'string' }, state: { type: 'string', enum: ['A'] } }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('extracts only the operations of our document and only the keywords the check reads', () => {
    const { status, out } = extract();
    expect(out).toContain('on the documents and on the facts alike: ');
    expect(status).toBe(0);
    const facts = JSON.parse(readFileSync(file('facts.json'), 'utf8'));
    expect(facts.operations).toEqual(['GET /api/things']);
    expect(facts.source.v1.path).toBe('docs/api/1.0/index.yaml');
    expect(facts.source.v1.blob).toMatch(/^[0-9a-f]{40}$/);
    expect(facts.v1).toEqual({
      paths: {
        '/things': {
          get: {
            parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }, { $ref: '#/components/parameters/skip' }],
            responses: {
              '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/thing' } } } },
              '400': {},
            },
          },
        },
      },
      components: {
        parameters: { skip: { name: 'skip', in: 'query', schema: { type: 'integer' } } },
        schemas: {
          thing: {
            type: 'object',
            properties: { id: { type: 'string' }, state: { type: 'string', enum: ['A', 'B'] }, name: { type: 'string' } },
          },
          Error: { type: 'object', properties: { message: { type: 'string' } } },
        },
      },
    });
    expect(facts.v2).toEqual({ paths: {} });
  });

  it('checks from the facts alone, as against the documents: a property or enum value they lack fails', () => {
    expect(extract().status).toBe(0);
    expect(run('--ours', file('ours.yaml'))).toEqual({ status: 0, out: expect.stringContaining('facts: 6 checked, 0 missing') });

    write('ours.yaml', ours({ id: { type: 'string' }, name: { type: 'string' }, state: { type: 'string', enum: ['A', 'C'] }, colour: { type: 'string' } }));
    const fromFacts = run('--ours', file('ours.yaml'));
    const fromDocuments = spawnSync(process.execPath, [join(__dirname, 'check-official.mjs'), file('ours.yaml'), file('v1.yaml'), file('v2.yaml')], {
      encoding: 'utf8',
    });
    expect(fromFacts.status).toBe(1);
    expect(fromDocuments.status).toBe(1);
    const problems = [
      'GET /api/things response 200 body.state: enum value "C" not in official enum',
      'GET /api/things response 200 body.colour: property not in official schema',
    ];
    for (const line of problems) {
      expect(fromFacts.out).toContain(line);
      expect(fromDocuments.stdout).toContain(line);
    }
    expect(fromFacts.out).toContain('facts: 8 checked, 2 missing');
    expect(fromDocuments.stdout).toContain('8 checked, 2 missing');
  });

  it('fails on an operation the facts do not cover, with the command that extracts them again', () => {
    expect(extract().status).toBe(0);
    write('ours.yaml', ours({ id: { type: 'string' } }, { '/api/unused': { get: { responses: { '200': { description: 'ok' } } } } }));
    const { status, out } = run('--ours', file('ours.yaml'));
    expect(status).toBe(1);
    expect(out).toContain('GET /api/unused: not in ');
    expect(out).toContain('node tools/openapi/official-facts.mjs extract <official-v1.yaml> <official-v2.yaml>');
  });

  it('with the documents at hand, also checks against them and fails when the facts are stale', () => {
    expect(extract().status).toBe(0);
    const withDocuments = () => run('--ours', file('ours.yaml'), '--official', file('v1.yaml'), file('v2.yaml'));
    expect(withDocuments()).toEqual({ status: 0, out: expect.stringContaining('is up to date with these documents') });

    write('v1.yaml', official(['A', 'B', 'D']));
    const { status, out } = withDocuments();
    expect(status).toBe(1);
    expect(out).toContain('is not what these documents give today');
  });

  it('refuses a JUMPCLOUD_OPENAPI_DOCS that is not a checkout of the documents', () => {
    expect(extract().status).toBe(0);
    const r = spawnSync(process.execPath, [script, '--ours', file('ours.yaml'), '--facts', file('facts.json')], {
      encoding: 'utf8',
      env: { ...process.env, JUMPCLOUD_OPENAPI_DOCS: dir },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('docs/api/1.0/index.yaml does not exist');
  });
});

describe('the check-official target', () => {
  jest.setTimeout(120_000);
  const workspaceRoot = join(__dirname, '..', '..');
  const affectedBy = (file: string): string[] =>
    JSON.parse(
      execFileSync(join(workspaceRoot, 'node_modules', '.bin', 'nx'), ['show', 'projects', '--affected', `--files=${file}`, '--json'], {
        cwd: workspaceRoot,
        encoding: 'utf8',
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      }),
    );

  it('runs (nx affected) when the OpenAPI document or the facts change', () => {
    expect(affectedBy('libs/jumpcloud-client/openapi/jumpcloud.yaml')).toContain('tools');
    expect(affectedBy('tools/openapi/official-facts.json')).toContain('tools');
  });
});
