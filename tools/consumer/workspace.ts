import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ManifestContext, type PackageManifest } from './package-checks';

/** One publishable library of the workspace, as its project.json and package.json describe it. */
export interface Library {
  /** The Nx project name, which is also its folder name under `libs/`. */
  project: string;
  packageName: string;
  /** `libs/<name>`, relative to the workspace root. */
  root: string;
  /** The build's output folder (`dist/libs/<name>`), relative to the workspace root. */
  outputPath: string;
  manifest: PackageManifest;
}

/** The folder holding nx.json, above this file (tools/consumer) or its bundle (dist/tools/consumer). */
function findWorkspaceRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nx.json above ${from}`);
  }
}

export const workspaceRoot = findWorkspaceRoot(__dirname);

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

interface ProjectJson {
  name: string;
  projectType?: string;
  targets?: { build?: { options?: { outputPath?: string } } };
}

/** Every library under `libs/`, in folder order. */
export function listLibraries(root: string = workspaceRoot): Library[] {
  const libs: Library[] = [];
  for (const folder of readdirSync(join(root, 'libs')).sort()) {
    const projectPath = join(root, 'libs', folder, 'project.json');
    if (!existsSync(projectPath)) continue;
    const project = readJson<ProjectJson>(projectPath);
    if (project.projectType !== 'library') continue;
    const outputPath = project.targets?.build?.options?.outputPath;
    if (!outputPath) throw new Error(`libs/${folder}: the build target has no outputPath`);
    const manifest = readJson<PackageManifest>(join(root, 'libs', folder, 'package.json'));
    libs.push({ project: project.name, packageName: manifest.name ?? '', root: `libs/${folder}`, outputPath, manifest });
  }
  return libs;
}

/** The root package.json's pinned versions, dependencies and devDependencies together. */
export function workspaceVersions(root: string = workspaceRoot): Record<string, string> {
  const pkg = readJson<PackageManifest>(join(root, 'package.json'));
  return { ...pkg.devDependencies, ...pkg.dependencies };
}

export function manifestContext(libs: readonly Library[], root: string = workspaceRoot): ManifestContext {
  const libraryVersions: Record<string, string> = {};
  for (const lib of libs) libraryVersions[lib.packageName] = lib.manifest.version ?? '';
  return { libraryVersions, workspaceVersions: workspaceVersions(root) };
}
