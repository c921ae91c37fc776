// ESLint 9 flat config: typescript-eslint's recommended rules, plus the rules that keep the
// architecture (README "Architecture"): imports flow one way, cli → lifecycle → registry / engine
// / dataset, and each layer keeps to its job.
//   - nothing imports cli/ (it is the top: argv, terminal, exit codes);
//   - registry/ and dataset/ never import engine/ (they never load TensorFlow.js);
//   - only engine/ imports @tensorflow/* (types included);
//   - only cli/ touches the process: exit codes, argv, stdio, env, signals, the TTY.
// test/unit/architecture.test.ts plants wrong-direction imports and checks these rules fire.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CLI = { regex: '(^|/)cli/', message: 'Nothing imports cli/: it is the top layer (argv, terminal, exit codes).' };
const ENGINE = {
  regex: '(^|/)engine/',
  message: 'registry/ and dataset/ never import engine/ (they must not load TensorFlow.js); let lifecycle/ pass data between them.',
};
const TFJS = {
  regex: '^@tensorflow/',
  message: 'Only src/engine/ imports TensorFlow.js (types included); use the model handle (engine/model-handle.ts).',
};
const TTY = { regex: '^(node:)?(tty|readline)$', message: 'Only cli/ talks to the terminal.' };

const PROCESS_PROPERTIES = ['exit', 'exitCode', 'argv', 'stdout', 'stderr', 'stdin', 'env', 'on', 'once', 'chdir'].map((property) => ({
  object: 'process',
  property,
  message: `Only cli/ touches process.${property} (exit codes, argv, stdio, environment, signals); take it as an option instead.`,
}));

/** no-restricted-imports with the given groups (type imports included). */
const restrict = (...patterns) => ['error', { patterns: patterns.map((p) => ({ ...p })) }];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'model-registry/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        performance: 'readonly',
        Buffer: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
      },
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { 'no-control-regex': 'off' }, // tests match ANSI colour escapes
  },
  // ---- the layering, for src/ only (tests may reach into any layer)
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/engine/**', 'src/registry/**', 'src/dataset/**'],
    rules: { 'no-restricted-imports': restrict(CLI, TFJS, TTY) },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(CLI, TTY) },
  },
  {
    files: ['src/registry/**/*.ts', 'src/dataset/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(CLI, ENGINE, TFJS, TTY) },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: { 'no-restricted-properties': ['error', ...PROCESS_PROPERTIES] },
  },
);
