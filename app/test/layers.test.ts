import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from './helpers';

// Layering rules of the repo (app/README.md): app/ is pure core (no main/, renderer/, electron or
// DOM); main/ never imports renderer/; renderer/ never imports main/ (type-only is allowed) and
// imports from app/ only types or modules that are browser-safe all the way down.

interface ImportRef {
  spec: string;
  typeOnly: boolean;
}

/** The script part of a file: .vue files contribute their <script> blocks. */
function scriptOf(file: string): string {
  const text = readFileSync(file, 'utf8');
  if (!file.endsWith('.vue')) return text;
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

export function importsOf(src: string): ImportRef[] {
  const code = stripComments(src);
  const refs: ImportRef[] = [];
  const re =
    /\b(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of code.matchAll(re)) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (!spec) continue;
    refs.push({ spec, typeOnly: Boolean(m[2]) });
  }
  return refs;
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mts|vue)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Top-level folder a relative import lands in, or the package name for a bare one. */
function target(file: string, spec: string): { layer?: string; resolved?: string; pkg?: string } {
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const resolved = path.resolve(path.dirname(file), spec);
    const rel = path.relative(REPO_ROOT, resolved);
    return { layer: rel.split(path.sep)[0], resolved };
  }
  const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
  return { pkg };
}

function resolveModule(p: string): string | undefined {
  for (const c of [p, `${p}.ts`, `${p}.vue`, path.join(p, 'index.ts')]) if (existsSync(c) && statSync(c).isFile()) return c;
  return undefined;
}

const NODE_ONLY = new Set([...builtinModules, 'onnxruntime-node', 'electron']);
function isNodeOnly(pkg: string): boolean {
  return pkg.startsWith('node:') || NODE_ONLY.has(pkg);
}

/** Non-type imports reachable from an app/ module that only Node (or Electron) can load. */
function nodeOnlyReach(start: string, seen = new Set<string>()): string[] {
  if (seen.has(start)) return [];
  seen.add(start);
  const bad: string[] = [];
  for (const ref of importsOf(scriptOf(start))) {
    if (ref.typeOnly) continue;
    const t = target(start, ref.spec);
    if (t.pkg !== undefined) {
      if (isNodeOnly(t.pkg)) bad.push(`${path.relative(REPO_ROOT, start)} → ${ref.spec}`);
    } else if (t.resolved) {
      const f = resolveModule(t.resolved);
      if (f) bad.push(...nodeOnlyReach(f, seen));
    }
  }
  return bad;
}

const DOM_GLOBAL = /(^|[^.\w$])(document|window|navigator|localStorage|sessionStorage|HTMLElement)\s*[.[]/m;

describe('layer rules', () => {
  it('the import scanner sees every import form (so the rules below can fail)', () => {
    const src = `import a from '../main/x';\nimport type { T } from "../renderer/y";\nexport * from './z';\nconst m = await import('electron');\nconst r = require('node:fs');\n// import x from '../main/comment'`;
    expect(importsOf(src)).toEqual([
      { spec: '../main/x', typeOnly: false },
      { spec: '../renderer/y', typeOnly: true },
      { spec: './z', typeOnly: false },
      { spec: 'electron', typeOnly: false },
      { spec: 'node:fs', typeOnly: false },
    ]);
    expect(DOM_GLOBAL.test('const el = document.createElement("a")')).toBe(true);
    expect(DOM_GLOBAL.test('const windowSize = 3; foo.document.x')).toBe(false);
  });

  it('app/ imports no main/, renderer/, electron and uses no DOM globals', () => {
    const bad: string[] = [];
    const files = walk(path.join(REPO_ROOT, 'app'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      if (f.endsWith('layers.test.ts')) continue; // its fixtures spell out forbidden imports
      const src = scriptOf(f);
      for (const ref of importsOf(src)) {
        const t = target(f, ref.spec);
        if (t.layer === 'main' || t.layer === 'renderer' || t.pkg === 'electron') bad.push(`${path.relative(REPO_ROOT, f)} → ${ref.spec}`);
      }
      if (DOM_GLOBAL.test(stripComments(src).replace(/(['"`])(?:\\.|(?!\1).)*\1/g, "''"))) {
        bad.push(`${path.relative(REPO_ROOT, f)} uses a DOM global`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('main/ never imports renderer/', () => {
    const bad: string[] = [];
    for (const f of walk(path.join(REPO_ROOT, 'main'))) {
      for (const ref of importsOf(scriptOf(f))) if (target(f, ref.spec).layer === 'renderer') bad.push(`${path.relative(REPO_ROOT, f)} → ${ref.spec}`);
    }
    expect(bad).toEqual([]);
  });

  it('renderer/ imports main/ only for types, and app/ only types or browser-safe modules', () => {
    const bad: string[] = [];
    for (const f of walk(path.join(REPO_ROOT, 'renderer'))) {
      // build configs and unit tests run in Node, not in the renderer
      const nodeSide = /\.config\.[cm]?ts$|\.test\.ts$/.test(f);
      for (const ref of importsOf(scriptOf(f))) {
        const t = target(f, ref.spec);
        if (ref.typeOnly) continue;
        if (t.layer === 'main') bad.push(`${path.relative(REPO_ROOT, f)} → ${ref.spec}`);
        if (nodeSide) continue;
        if (t.pkg !== undefined && isNodeOnly(t.pkg)) bad.push(`${path.relative(REPO_ROOT, f)} → ${ref.spec}`);
        if (t.layer === 'app' && t.resolved) {
          const m = resolveModule(t.resolved);
          if (m) bad.push(...nodeOnlyReach(m).map((b) => `${path.relative(REPO_ROOT, f)} → ${b}`));
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
