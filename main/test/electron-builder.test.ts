// electron-builder.yml: valid against electron-builder's own JSON schema, and carrying the
// security fuses, native-module unpacking, resources and targets the app relies on.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers';

const SCHEMA = path.join(REPO_ROOT, 'node_modules/app-builder-lib/scheme.json');
const config = yaml.load(readFileSync(path.join(REPO_ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form YAML
const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { main: string; productName: string };

function targets(platform: string): string[] {
  const t = config[platform]?.target ?? [];
  return (Array.isArray(t) ? t : [t]).map((x: string | { target: string }) => (typeof x === 'string' ? x : x.target));
}

describe('electron-builder.yml', () => {
  it.skipIf(!existsSync(SCHEMA))('validates against app-builder-lib/scheme.json', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
    expect(validate(config), JSON.stringify(validate.errors, null, 1)).toBe(true);
    // The schema is strict enough to catch a typo'd or mistyped key.
    expect(validate({ ...config, asarUnpak: ['x'] })).toBe(false);
    expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNode: 'no' } })).toBe(false);
  });

  it('sets the security fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs into asar, unpacking onnxruntime-node and the ORT and reader thread bundles', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/onnxruntime-node/**', '**/*.node', 'dist/main/ort-thread.js', 'dist/main/reader-thread.js', 'dist/main/h5-thread.js', 'node_modules/h5wasm/**']));
  });

  it('ships the bundles, the model and the sample', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/main/**/*', 'dist/renderer/**/*', 'package.json']));
    expect(pkg.main).toBe('dist/main/electron-main.js');
    const res = config.extraResources as { from: string; to: string }[];
    expect(res).toEqual(expect.arrayContaining([expect.objectContaining({ from: 'resources/models', to: 'models' }), expect.objectContaining({ from: 'resources/sample', to: 'sample' })]));
  });

  it('builds AppImage + deb, NSIS and DMG', () => {
    expect(config.appId).toMatch(/^[a-z0-9]+(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe(pkg.productName);
    expect(targets('linux').sort()).toEqual(['AppImage', 'deb']);
    expect(targets('win')).toEqual(['nsis']);
    expect(targets('mac')).toEqual(['dmg']);
    expect(existsSync(path.join(REPO_ROOT, config.mac.entitlements))).toBe(true);
  });
});
