import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFileError, readConfigFile } from './config-file';

describe('readConfigFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'jcg-config-file-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads YAML and JSON, and an empty file as null', () => {
    writeFileSync(join(dir, 'a.yaml'), 'concurrency: 4\nsteps: [users]\n');
    writeFileSync(join(dir, 'b.json'), '{"concurrency": 4}');
    writeFileSync(join(dir, 'c.yaml'), '');
    expect(readConfigFile(join(dir, 'a.yaml'))).toEqual({ concurrency: 4, steps: ['users'] });
    expect(readConfigFile(join(dir, 'b.json'))).toEqual({ concurrency: 4 });
    expect(readConfigFile(join(dir, 'c.yaml'))).toBeNull();
  });

  it('names the file and the problem in one line', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => readConfigFile(missing)).toThrow(new ConfigFileError(`cannot read ${missing}: ENOENT`, 'unreadable'));
    writeFileSync(join(dir, 'bad.yaml'), 'a: [1, 2\nsecret: hunter2\n');
    try {
      readConfigFile(join(dir, 'bad.yaml'));
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigFileError);
      expect((error as ConfigFileError).reason).toBe('not-yaml');
      expect((error as Error).message).toMatch(/bad\.yaml is not valid YAML or JSON: /);
      expect((error as Error).message.split('\n')).toHaveLength(1);
    }
  });
});
