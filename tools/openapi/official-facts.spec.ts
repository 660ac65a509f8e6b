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

describe('official-facts.mjs --api directory-insights (a Swagger 2.0 official document)', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  const write = (name: string, doc: unknown) => writeFileSync(file(name), JSON.stringify(doc));
  const run = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['JUMPCLOUD_POWERSHELL_SDK'];
    const r = spawnSync(process.execPath, [script, '--api', 'directory-insights', ...args, '--facts', file('facts.json')], { encoding: 'utf8', env });
    return { status: r.status, out: r.stdout + r.stderr };
  };

  const official = {
    swagger: '2.0',
    info: { title: 'Official events', version: '1.0', description: 'Official prose.' },
    host: 'api.example.com',
    basePath: '/events/v1',
    schemes: ['https'],
    consumes: ['application/json'],
    produces: ['application/json'],
    'x-ms-parameterized-host': { hostTemplate: '{apiHost}.example.com', parameters: [{ name: 'apiHost', in: 'client', type: 'string', enum: ['api', 'api.eu'] }] },
    paths: {
      '/events': {
        post: {
          description: 'Official prose about the query.',
          parameters: [{ name: 'body', in: 'body', required: true, description: 'The query.', schema: { $ref: '#/definitions/Query' } }],
          responses: { '200': { description: 'Events.', schema: { type: 'array', items: { type: 'object', additionalProperties: true } } } },
        },
      },
      '/unused': { get: { responses: { '200': { description: 'Not ours.' } } } },
    },
    definitions: {
      Window: {
        type: 'object',
        required: ['service', 'start_time'],
        properties: { service: { type: 'array', items: { type: 'string', enum: ['all', 'directory', 'sso'] } }, start_time: { type: 'string', format: 'date-time' } },
      },
      Query: {
        description: 'Official prose.',
        allOf: [{ $ref: '#/definitions/Window' }, { type: 'object', properties: { limit: { type: 'integer', format: 'int64' }, search_after: { type: 'array', items: { type: 'string' } } } }],
      },
      Unused: { type: 'object', properties: { secret: { type: 'string' } } },
    },
  };
  const ours = (query: Record<string, unknown>, required = ['service', 'start_time'], servers = ['https://api.example.com/events/v1', 'https://api.eu.example.com/events/v1']) => ({
    openapi: '3.1.0',
    info: { title: 'ours', version: '1' },
    servers: servers.map((url) => ({ url })),
    paths: {
      '/events': {
        post: {
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required, properties: query } } } },
          responses: {
            '200': {
              description: 'ok',
              content: { 'application/json': { schema: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, made_up: { type: 'object', properties: { x: { type: 'integer' } } } } } } } },
            },
          },
        },
      },
    },
  });
  const query = { service: { type: 'array', items: { type: 'string', enum: ['directory'] } }, start_time: { type: 'string' }, limit: { type: 'integer' } };
  const extract = () => run('extract', file('official.json'), '--ours', file('ours.yaml'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'official-facts-di-'));
    write('official.json', official);
    write('ours.yaml', ours(query));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('extracts the servers, the request body (with what it requires) and the response, in OpenAPI 3 terms, and nothing else', () => {
    const { status, out } = extract();
    expect(out).toContain('on the documents and on the facts alike: ');
    expect(status).toBe(0);
    const facts = JSON.parse(readFileSync(file('facts.json'), 'utf8'));
    expect(facts.operations).toEqual(['POST /events']);
    expect(facts.source).toEqual({ repository: 'https://github.com/TheJumpCloud/jcapi-powershell', path: 'SwaggerSpecs/JumpCloud.SDK.DirectoryInsights.json', blob: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(facts.document).toEqual({
      servers: [{ url: 'https://api.example.com/events/v1' }, { url: 'https://api.eu.example.com/events/v1' }],
      paths: {
        '/events': {
          post: {
            requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Query' } } } },
            responses: { '200': { content: { 'application/json': { schema: { type: 'array', items: { type: 'object', additionalProperties: true } } } } } },
          },
        },
      },
      components: {
        schemas: {
          Query: { allOf: [{ $ref: '#/components/schemas/Window' }, { type: 'object', properties: { limit: { type: 'integer' }, search_after: { type: 'array', items: { type: 'string' } } } }] },
          Window: {
            type: 'object',
            required: ['service', 'start_time'],
            properties: { service: { type: 'array', items: { type: 'string', enum: ['all', 'directory', 'sso'] } }, start_time: { type: 'string' } },
          },
        },
      },
    });
    expect(JSON.stringify(facts.document)).not.toMatch(/prose|Unused|unused|description/);
  });

  it('checks from the facts alone as against the document: body properties, what the body requires, servers; not the names in a free-form response', () => {
    expect(extract().status).toBe(0);
    expect(run('--ours', file('ours.yaml'))).toEqual({ status: 0, out: expect.stringContaining('facts: 12 checked, 0 missing') });

    write('ours.yaml', ours({ ...query, colour: { type: 'string' }, limit: { type: 'string' } }, ['service'], ['https://api.example.com/events/v1', 'https://api.in.example.com/events/v1']));
    const fromFacts = run('--ours', file('ours.yaml'));
    const fromDocument = spawnSync(process.execPath, [join(__dirname, 'check-official.mjs'), '--directory-insights', file('ours.yaml'), file('official.json')], { encoding: 'utf8' });
    const problems = [
      "POST /events request body.limit: type 'string' not allowed by official schema",
      'POST /events request body.colour: property not in official schema',
      'POST /events request body.start_time: required by the official schema, optional in ours',
      'server https://api.in.example.com/events/v1: not a server of the official document',
    ];
    expect(fromFacts.status).toBe(1);
    expect(fromDocument.status).toBe(1);
    for (const line of problems) {
      expect(fromFacts.out).toContain(line);
      expect(fromDocument.stdout).toContain(line);
    }
    expect(fromFacts.out).toContain('facts: 13 checked, 4 missing');
    expect(fromDocument.stdout).toContain('13 checked, 4 missing');
    expect(fromFacts.out).not.toContain('made_up');
  });

  it('with the document at hand, fails when the facts are stale', () => {
    expect(extract().status).toBe(0);
    const withDocument = () => run('--ours', file('ours.yaml'), '--official', file('official.json'));
    expect(withDocument()).toEqual({ status: 0, out: expect.stringContaining('is up to date with these documents') });
    write('official.json', { ...official, basePath: '/events/v2' });
    const { status, out } = withDocument();
    expect(status).toBe(1);
    expect(out).toContain('is not what these documents give today');
    expect(out).toContain('node tools/openapi/official-facts.mjs extract --api directory-insights');
  });

  it('--api all checks only with the default files', () => {
    const r = spawnSync(process.execPath, [script, '--api', 'all', '--ours', file('ours.yaml')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--api all only checks');
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
    expect(affectedBy('libs/jumpcloud-client/openapi/directory-insights.yaml')).toContain('tools');
    expect(affectedBy('tools/openapi/official-facts.directory-insights.json')).toContain('tools');
  });
});
