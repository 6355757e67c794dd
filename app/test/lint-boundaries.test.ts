// The layer boundaries live in eslint.config.js; these cases show the rules fire (and stay quiet on
// what is allowed), so a wrong import anywhere fails `npx eslint .` in `npm test`.
import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers';

const eslint = new ESLint({ cwd: REPO_ROOT });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) });
  return (r?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports' || m.ruleId === 'no-restricted-globals').map((m) => m.message);
}

describe('layer boundaries (ESLint)', () => {
  it.each([
    ['renderer/src/x.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;"],
    ['renderer/src/x.ts', "import { loadStudy } from '../../app/formats';\nexport const f = loadStudy;"],
    ['renderer/src/x.ts', "import { createEngine } from '../../app/recon/engine';\nexport const f = createEngine;"],
    ['renderer/src/x.ts', "import { makeMask } from '../../app/masks';\nexport const f = makeMask;"],
    ['renderer/src/x.ts', "import { createHandlers } from '../../main/common/handlers';\nexport const f = createHandlers;"],
    ['renderer/src/x.ts', "import { InferenceSession } from 'onnxruntime-node';\nexport const f = InferenceSession;"],
    ['app/metrics/x.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;"],
    ['app/masks/x.ts', "import { loadStudy } from '../formats';\nexport const f = loadStudy;"],
    ['app/core/x.ts', "import { createEngine } from '../recon/engine';\nexport const f = createEngine;"],
    ['app/recon/x.ts', "import { store } from '../../renderer/src/state/session';\nexport const f = store;"],
    ['app/formats/x.ts', "import { app } from 'electron';\nexport const f = app;"],
    ['main/common/x.ts', "import { store } from '../../renderer/src/state/session';\nexport const f = store;"],
    ['app/formats/x.ts', 'export const f = () => document.title;'],
    ['app/metrics/x.ts', "import { loadMaskFile } from '../masks';\nexport const f = loadMaskFile;"],
    ['main/common/x.ts', "import { loadStudy } from '../../app/formats';\nexport const f = loadStudy;"],
    ['main/node-host/x.ts', "import { StudyService } from '../data-plane/study-service';\nexport const f = StudyService;"],
    ['main/electron/x.ts', "import { InferenceSession } from 'onnxruntime-node';\nexport const f = InferenceSession;"],
    ['main/common/x.ts', "import { fft2cSlice } from '../../app/fft';\nexport const f = fft2cSlice;"],
  ])('%s refuses: %s', async (file, code) => {
    expect((await layerErrors(file, code)).length).toBeGreaterThan(0);
  });

  it.each([
    ['renderer/src/x.ts', "import { maskSpecProblem } from '../../app/masks/spec';\nexport const f = maskSpecProblem;"],
    ['renderer/src/x.ts', "import type { StudySummary } from '../../app/contract/ipc';\nexport type T = StudySummary;"],
    ['renderer/src/x.ts', "import type { Handlers } from '../../main/common/handlers';\nexport type T = Handlers;"],
    ['app/recon/x.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;"],
    ['app/metrics/x.ts', "import { fft2cSlice } from '../fft';\nexport const f = fft2cSlice;"],
    ['main/data-plane/x.ts', "import { loadStudy } from '../../app/formats';\nexport const f = loadStudy;"],
    ['main/common/x.ts', "import { parseMaskSpec } from '../../app/contract/ipc';\nexport const f = parseMaskSpec;"],
  ])('%s allows: %s', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});

// Components change the renderer's stores only through actions (eslint.config.js STORE_WRITES).
async function storeWriteErrors(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) });
  return (r?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax' || m.ruleId === 'vue/no-restricted-syntax').map((m) => m.message);
}

const vue = (script: string, template: string): string => `<script setup lang="ts">\n${script}\n</script>\n\n<template>\n  ${template}\n</template>\n`;

describe('store writes from components (ESLint)', () => {
  it.each([
    ['renderer/src/components/X.vue', vue("import { store } from '../state/session';\nfunction close(): void {\n  store.helpOpen = false;\n}", '<button @click="close">x</button>')],
    ['renderer/src/components/X.vue', vue("import { layoutState } from '../state/layout';", '<button @click="layoutState.helpOpen = true">x</button>')],
    ['renderer/src/components/X.vue', vue("import { studyState } from '../state/study';", '<input v-model="studyState.mask.seed" />')],
    ['renderer/src/components/X.vue', vue("import { studyState } from '../state/study';\nfunction bump(): void {\n  studyState.mask.seed++;\n}", '<button @click="bump">x</button>')],
    ['renderer/src/components/X.vue', vue("import { runState } from '../state/run';", '<button @click="runState.currentStep += 1">x</button>')],
    ['renderer/src/App.vue', vue("import { viewState } from './state/viewport';\nfunction pan(): void {\n  viewState.translation.x = 3;\n}", '<button @click="pan">x</button>')],
    ['renderer/src/keyboard.ts', "import { viewState } from './state/viewport';\nexport const f = (): void => {\n  viewState.tool = 'pan';\n};\n"],
  ])('%s refuses: %s', async (file, code) => {
    expect(await storeWriteErrors(file, code)).toContainEqual(expect.stringMatching(/only through its actions/));
  });

  it.each([
    ['renderer/src/components/X.vue', vue("import { setTool, viewState } from '../state/viewport';", `<button :aria-pressed="viewState.tool === 'pan'" @click="setTool('pan')">Pan</button>`)],
    ['renderer/src/components/X.vue', vue("import { reactive } from 'vue';\nconst query = reactive({ node: '' });", '<input v-model="query.node" />')],
    ['renderer/src/state/x.ts', "import { reactive } from 'vue';\nconst state = reactive({ n: 0 });\nexport const store = state;\nexport function bump(): void {\n  store.n++;\n}\n"],
  ])('%s allows: %s', async (file, code) => {
    expect(await storeWriteErrors(file, code)).toEqual([]);
  });
});
