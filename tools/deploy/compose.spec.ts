/**
 * deploy/compose.yaml, read as Docker Compose would (no docker needed): the services, what they
 * mount and publish, and whether the mounted worker configuration, the env file example and the
 * simulator's command agree with one another.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseServeArgs } from '../serve/jumpcloud-simulator-args';

const root = resolve(__dirname, '..', '..');
const deployDir = join(root, 'deploy');
const composeFile = join(deployDir, 'compose.yaml');

type Doc = Record<string, unknown>;

function isObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `NAME=value` lines of an env file (comments and blank lines skipped; no quoting needed here). */
function readEnvFile(path: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(trimmed);
    if (!match) throw new Error(`${path}: not NAME=value: ${line}`);
    vars.set(match[1], match[2]);
  }
  return vars;
}

/** The variables a Compose string interpolates, and whether each has a default. */
function interpolated(text: string): { name: string; hasDefault: boolean }[] {
  const found: { name: string; hasDefault: boolean }[] = [];
  for (const match of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = match[1] ?? match[3];
    const op = match[2] ?? '';
    found.push({ name, hasDefault: op.endsWith('-') });
  }
  return found;
}

/** Compose's interpolation of `${NAME}`, `${NAME:-default}`, `${NAME:?error}` (and the forms without a colon), `$$`. */
function interpolate(value: unknown, env: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (whole, name: string | undefined, colon: string, op: string, arg: string) => {
      if (whole === '$$') return '$';
      const set = env.get(name as string);
      const usable = colon === ':' ? set !== undefined && set !== '' : set !== undefined;
      if (usable) return set as string;
      if (op === '-') return arg;
      if (op === '?') throw new Error(`${name}: ${arg}`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

/** Every value under a key ending in `Env` (`apiKeyEnv`, `accountEnv`, `secretEnv`, ...). */
function envReferences(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => envReferences(item, found));
  else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key.endsWith('Env') && typeof item === 'string') found.add(item);
      else envReferences(item, found);
    }
  }
  return found;
}

interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** A service's `volumes`, short (`source:target[:mode]`) or long syntax. */
function mounts(service: Doc): Mount[] {
  return ((service['volumes'] as unknown[] | undefined) ?? []).map((entry) => {
    if (typeof entry === 'string') {
      const [source, target, mode = ''] = entry.split(':');
      return { source, target, readOnly: mode.split(',').includes('ro') };
    }
    const long = entry as Doc;
    return { source: String(long['source']), target: String(long['target']), readOnly: long['read_only'] === true };
  });
}

/** A bind mount's source (a path) or a named volume's name. */
const isBindSource = (source: string) => source.startsWith('.') || source.startsWith('/') || source.startsWith('~');

interface Published {
  hostPort?: string;
  containerPort: string;
}

/** A service's `ports`: `[ip:][host:]container[/protocol]` or the long syntax. */
function ports(service: Doc): Published[] {
  return ((service['ports'] as unknown[] | undefined) ?? []).map((entry) => {
    if (typeof entry === 'number') return { containerPort: String(entry) };
    if (typeof entry === 'string') {
      let spec = entry.replace(/\/(tcp|udp|sctp)$/, '');
      if (spec.startsWith('[')) spec = spec.slice(spec.indexOf(']') + 2); // [ipv6]:rest
      const parts = spec.split(':');
      const containerPort = parts[parts.length - 1];
      const hostPort = parts.length >= 2 ? parts[parts.length - 2] : '';
      return hostPort === '' ? { containerPort } : { hostPort, containerPort };
    }
    const long = entry as Doc;
    const published = long['published'];
    return published === undefined || published === '' ? { containerPort: String(long['target']) } : { hostPort: String(published), containerPort: String(long['target']) };
  });
}

/** The `--flag value` / `--flag=value` value of a command line. */
function flag(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

/** `build`: its context (relative to the compose file) and Dockerfile (relative to the context). */
function buildOf(service: Doc): { context: string; dockerfile: string } {
  const build = service['build'];
  if (typeof build === 'string') return { context: resolve(deployDir, build), dockerfile: join(resolve(deployDir, build), 'Dockerfile') };
  const spec = build as Doc;
  const context = resolve(deployDir, String(spec['context'] ?? '.'));
  return { context, dockerfile: resolve(context, String(spec['dockerfile'] ?? 'Dockerfile')) };
}

function envFiles(service: Doc): string[] {
  const value = service['env_file'];
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.map((item) => resolve(deployDir, typeof item === 'string' ? item : String((item as Doc)['path'])));
}

/** Exec-form `CMD [...]` of a Dockerfile. */
function dockerfileCmd(path: string): string[] {
  const line = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => /^CMD\s+\[/.test(l))
    .pop();
  if (!line) throw new Error(`${path}: no exec-form CMD`);
  return JSON.parse(line.replace(/^CMD\s+/, '')) as string[];
}

const rawCompose = readFileSync(composeFile, 'utf8');
const rawDoc = parseYaml(rawCompose) as Doc;
const rawServices = rawDoc['services'] as Record<string, Doc>;
const worker = rawServices['worker'];
const workerEnvFiles = envFiles(worker);
// The example stands in for the env file that users copy from it (deploy/.env is not in the repository).
const exampleOf = (envFile: string) => `${envFile}.example`;
const exampleEnv = new Map(workerEnvFiles.flatMap((file) => [...readEnvFile(exampleOf(file))]));
const compose = interpolate(rawDoc, exampleEnv) as Doc;
const services = compose['services'] as Record<string, Doc>;
const namedVolumes = Object.keys((compose['volumes'] as Doc | null | undefined) ?? {});

const configMount = mounts(services['worker']).find((m) => m.target === '/etc/jumpcloud-graph/worker.yaml');
const workerConfigFile = configMount ? resolve(deployDir, configMount.source) : join(deployDir, 'worker.yaml');
const workerConfig = parseYaml(readFileSync(workerConfigFile, 'utf8')) as Doc;
const instances = workerConfig['instances'] as Doc[];

const replicas = (service: Doc) => Number((service['deploy'] as Doc | undefined)?.['replicas'] ?? 1);

describe('deploy/compose.yaml', () => {
  it('runs redis 7 append-only, its data on a named volume, with a healthcheck', () => {
    const redis = services['redis'];
    expect(String(redis['image'])).toMatch(/^redis:7(\.\d+)*(-[a-z0-9.]+)?$/);
    const command = redis['command'] as string[];
    expect(command[0]).toBe('redis-server');
    expect(command[command.indexOf('--appendonly') + 1]).toBe('yes');
    const data = mounts(redis).find((m) => m.target === '/data');
    expect(data).toBeDefined();
    expect(namedVolumes).toContain(data?.source);
    expect(JSON.stringify((redis['healthcheck'] as Doc)['test'])).toContain('redis-cli ping');
  });

  it('builds the worker from the repository root with apps/worker/Dockerfile', () => {
    const { context, dockerfile } = buildOf(services['worker']);
    expect(context).toBe(root);
    expect(dockerfile).toBe(join(root, 'apps/worker/Dockerfile'));
    expect(existsSync(dockerfile)).toBe(true);
  });

  it('runs 2 worker replicas, none on a fixed host port, each publishing the port the worker listens on', () => {
    expect(replicas(services['worker'])).toBe(2);
    const http = workerConfig['http'] as Doc;
    expect(http['host']).toBe('0.0.0.0');
    const published = ports(services['worker']);
    expect(published.map((p) => p.containerPort)).toEqual([String(http['port'])]);
    for (const [name, service] of Object.entries(services)) {
      if (replicas(service) > 1) expect({ name, fixed: ports(service).filter((p) => p.hostPort !== undefined) }).toEqual({ name, fixed: [] });
    }
  });

  it('mounts the worker configuration read-only where the image reads it', () => {
    expect(configMount).toBeDefined();
    expect(configMount?.readOnly).toBe(true);
    expect(isBindSource(configMount?.source ?? '')).toBe(true);
    expect(existsSync(workerConfigFile)).toBe(true);
    const cmd = services['worker']['command'] ?? dockerfileCmd(buildOf(services['worker']).dockerfile);
    expect(flag(cmd as string[], 'config')).toBe(configMount?.target);
  });

  it('keeps the local graphs on one named volume shared by the replicas', () => {
    const data = mounts(services['worker']).find((m) => m.target === '/var/lib/jumpcloud-graph');
    expect(data).toBeDefined();
    expect(namedVolumes).toContain(data?.source);
    for (const instance of instances) {
      const target = instance['target'] as Doc;
      for (const path of [target['db'], target['stateDb']].filter((p): p is string => typeof p === 'string')) {
        expect(posix.dirname(path).startsWith('/var/lib/jumpcloud-graph')).toBe(true);
      }
    }
  });

  it('reads the secrets from an env file whose example names every variable the configuration references', () => {
    expect(workerEnvFiles).toEqual([join(deployDir, '.env')]);
    for (const file of workerEnvFiles) expect(existsSync(exampleOf(file))).toBe(true);
    const needed = [...envReferences(workerConfig), 'WORKER_ADMIN_TOKEN'];
    expect(needed).toContain('JUMPCLOUD_API_KEY');
    for (const name of needed) expect({ name, inExample: exampleEnv.has(name) && exampleEnv.get(name) !== '' }).toEqual({ name, inExample: true });
  });

  it('interpolates only variables the env file example sets, or with a default', () => {
    // Compose reads deploy/.env (the project directory's) for interpolation too.
    for (const { name, hasDefault } of interpolated(rawCompose)) {
      expect({ name, known: hasDefault || exampleEnv.has(name) }).toEqual({ name, known: true });
    }
  });

  it('points redisUrl at the redis service, started healthy before the workers', () => {
    const url = new URL(String(workerConfig['redisUrl']));
    expect(url.protocol).toBe('redis:');
    const service = services[url.hostname];
    expect(service).toBeDefined();
    expect(String(service['image'])).toMatch(/^redis:/);
    expect(url.port === '' ? '6379' : url.port).toBe('6379');
    expect((services['worker']['depends_on'] as Doc)[url.hostname]).toEqual({ condition: 'service_healthy' });
    expect(service['healthcheck']).toBeDefined();
  });

  it('points every instance at the simulator service, on the port and key its command sets', () => {
    const simulator = services['simulator'];
    const command = simulator['command'] as string[];
    const parsed = parseServeArgs(command);
    if (parsed.kind !== 'serve') throw new Error('the simulator command asks for --help');
    expect(parsed.options.host).toBe('0.0.0.0');
    expect(parsed.options.dataset).toEqual(expect.objectContaining({ organizations: 3, users: 200 }));
    expect(parsed.options.latencyMs).toBe(20);
    expect(instances.length).toBeGreaterThan(0);
    for (const instance of instances) {
      const jumpcloud = instance['jumpcloud'] as Doc;
      const url = new URL(String(jumpcloud['baseUrl']));
      expect(url.hostname).toBe('simulator');
      expect(Number(url.port)).toBe(parsed.options.port);
      // plain http to a host other than loopback: the worker refuses it without allowInsecureHttp
      if (url.protocol === 'http:') expect(jumpcloud['allowInsecureHttp']).toBe(true);
      expect(exampleEnv.get(String(jumpcloud['apiKeyEnv']))).toBe(parsed.options.apiKey);
    }
    expect((services['worker']['depends_on'] as Doc)['simulator']).toBeDefined();
  });

  it('builds the simulator from the repository root with deploy/simulator.Dockerfile, bundling the simulator server', () => {
    const { context, dockerfile } = buildOf(services['simulator']);
    expect(context).toBe(root);
    expect(dockerfile).toBe(join(deployDir, 'simulator.Dockerfile'));
    expect(existsSync(dockerfile)).toBe(true);
    const text = readFileSync(dockerfile, 'utf8');
    const entry = /^RUN npx esbuild (\S+)/m.exec(text)?.[1];
    expect(entry).toBe('tools/serve/jumpcloud-simulator.ts');
    expect(existsSync(join(root, entry as string))).toBe(true);
    // every COPY from the context names something that exists (the bundle needs tsconfig.base.json's paths)
    for (const match of text.matchAll(/^COPY (?!--from)(.+)$/gm)) {
      const sources = match[1].trim().split(/\s+/).filter((s) => !s.startsWith('--')).slice(0, -1);
      for (const source of sources) expect({ source, exists: existsSync(join(root, source)) }).toEqual({ source, exists: true });
    }
  });
});
