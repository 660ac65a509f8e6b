import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** Why a configuration file could not be read: one line, without the file's contents. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
  constructor(
    message: string,
    readonly reason: 'unreadable' | 'not-yaml',
  ) {
    super(message);
  }
}

/**
 * Reads a YAML or JSON configuration file (JSON is YAML) into plain data, as both apps take their
 * configuration; validating it is the app's. An empty file is `null`. Throws `ConfigFileError`
 * naming the file: "cannot read PATH: ENOENT", or "PATH is not valid YAML or JSON: <first line>".
 */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 'unreadable');
  }
  try {
    return parseYaml(text) ?? null;
  } catch (error) {
    throw new ConfigFileError(`${path} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`, 'not-yaml');
  }
}
