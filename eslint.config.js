// ESLint: typescript-eslint's strict rules everywhere, Vue's essential rules in the renderer, and the
// layer boundaries of the repository (README "Layers") as import restrictions, so a wrong import
// fails `npx eslint .` (run by `npm test`).
import js from '@eslint/js';
import pluginVue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';
import vueParser from 'vue-eslint-parser';
import { builtinModules } from 'node:module';

const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
/** app/ folders that need Node (files, workers, onnxruntime, sockets). */
const APP_NODE = ['cli', 'export', 'formats', 'pacs', 'recon', 'threads', 'trust'];
/** app/ folders that are pure and run anywhere (Node, worker, browser). */
const APP_PURE = ['contract', 'core', 'display', 'fft', 'masks', 'metrics'];

const nodeOnlyPackages = ['onnxruntime-node', 'h5wasm', 'dcmjs-dimse', 'electron'];
/** app/ folders only the data-plane process loads (readers, FFT, reconstruction, export, DICOM networking, model trust). */
const HOST_FORBIDDEN_APP = ['formats', 'fft', 'recon', 'export', 'pacs', 'trust', 'threads'];
/** Packages that parse files or DICOM, decompress or run models. */
const DATA_PACKAGES = ['onnxruntime-node', 'onnxruntime-common', 'h5wasm', 'dicom-parser', 'dcmjs', 'dcmjs-dimse', 'fflate'];

/**
 * The renderer's stores (renderer/src/state/) as components import them. Components read them and
 * change them only through the stores' actions: an assignment, ++/-- or delete on a member (up to
 * three levels deep), or a v-model bound to one, is refused in the components, App.vue and keyboard.ts.
 */
const STORE_NAMES = ['store', 'studyState', 'runState', 'viewState', 'layoutState', 'neighbourState', 'reading', 'exportState', 'sliceImages', 'recent'];
const STORE_RE = `/^(${STORE_NAMES.join('|')})$/`;
const STORE_WRITE_MESSAGE = 'a component changes a store only through its actions (renderer/README.md "Stores")';
const STORE_WRITES = [
  ['AssignmentExpression', 'left'],
  ['UpdateExpression', 'argument'],
  ['UnaryExpression[operator="delete"]', 'argument'],
].flatMap(([node, field]) =>
  ['', ' > MemberExpression.object', ' > MemberExpression.object > MemberExpression.object'].map((deeper) => ({
    selector: `${node} > MemberExpression.${field}${deeper} > Identifier.object[name=${STORE_RE}]`,
    message: STORE_WRITE_MESSAGE,
  })),
);
const STORE_V_MODEL = { selector: `VAttribute[directive=true][key.name.name="model"] Identifier.object[name=${STORE_RE}]`, message: STORE_WRITE_MESSAGE };

/** A no-restricted-imports rule value (type-only imports allowed where `allowTypes`). */
function restrict(patterns, paths = [], allowTypes = false, regexes = []) {
  const message = 'not in this layer (README "Layers")';
  return [
    'error',
    {
      paths: paths.map((name) => ({ name, message, allowTypeImports: allowTypes })),
      patterns: [
        ...patterns.map((group) => ({ group: [group], message, allowTypeImports: allowTypes })),
        ...regexes.map((regex) => ({ regex, message, allowTypeImports: allowTypes })),
      ],
    },
  ];
}

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'out/**', 'build/**', 'e2e/artifacts/**', '.venv/**', 'training/**', 'resources/**', '**/*.d.ts', 'renderer/dist/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  ...pluginVue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
  },
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // tests and adapters use non-null assertions after explicit checks; strict types make them visible
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // TypeScript resolves names (typescript-eslint's advice); no-undef only knows ESLint's globals
      'no-undef': 'off',
    },
  },
  // app/ and main/ run in Node: no DOM
  {
    files: ['app/**/*.ts', 'main/**/*.ts'],
    rules: { 'no-restricted-globals': ['error', ...['window', 'document', 'localStorage', 'sessionStorage', 'navigator', 'HTMLElement'].map((name) => ({ name, message: 'app/ and main/ run in Node (README "Layers")' }))] },
  },
  // app/: never main/, renderer/ or electron
  {
    files: ['app/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(['**/main/**', '**/renderer/**'], ['electron']) },
  },
  // app/'s pure folders: nothing Node-only, nothing from app/'s Node folders
  {
    files: APP_PURE.map((d) => `app/${d}/**/*.ts`),
    // masks/index.ts re-exports the Node-side mask-file reader: it is Node code, the pure parts are imported directly
    ignores: ['app/*/test/**', 'app/masks/maskFile.ts', 'app/masks/index.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        ['**/main/**', '**/renderer/**', ...APP_NODE.map((d) => `**/${d}/**`), ...APP_NODE.map((d) => `../${d}`), '**/maskFile*'],
        [...NODE_BUILTINS, ...nodeOnlyPackages],
        true,
        ['^(\\.\\./)+masks(/index)?$', '^\\./index$'],
      ),
    },
  },
  // main/: never renderer/ (types excepted)
  {
    files: ['main/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(['**/renderer/**'], [], true) },
  },
  // the hosts (Electron main, Node host, what they share) route, validate and guard: nothing that
  // parses, computes or infers — that is the data plane's (main/test/process-imports.test.ts follows
  // the imports at run time too)
  {
    files: ['main/common/**/*.ts', 'main/electron/**/*.ts', 'main/node-host/**/*.ts', 'main/start.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        ['**/renderer/**', '**/data-plane/**', ...HOST_FORBIDDEN_APP.map((d) => `**/app/${d}/**`), ...HOST_FORBIDDEN_APP.map((d) => `**/app/${d}`)],
        DATA_PACKAGES,
        true,
      ),
    },
  },
  // renderer/ components: stores change through actions only
  {
    files: ['renderer/src/components/**/*.vue', 'renderer/src/App.vue', 'renderer/src/keyboard.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...STORE_WRITES],
      'vue/no-restricted-syntax': ['error', ...STORE_WRITES, STORE_V_MODEL],
    },
  },
  // renderer/: the browser. No main/ (types excepted), no Node, only app/'s pure folders at run time
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.vue'],
    ignores: ['renderer/**/*.test.ts', 'renderer/vite.config.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        ['**/main/**', ...APP_NODE.map((d) => `**/app/${d}/**`), ...APP_NODE.map((d) => `**/app/${d}`), '**/masks/maskFile*'],
        [...NODE_BUILTINS, ...nodeOnlyPackages],
        true,
        // a folder's index re-exports its Node parts too: import the pure module itself
        ['^(\\.\\./)+app/masks(/index)?$'],
      ),
    },
  },
);
