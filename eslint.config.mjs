// The linter: ESLint's flat config with typescript-eslint's type-aware rules (docs/architecture.md says
// why ESLint and Prettier rather than Biome). Prettier formats; this file only lints.
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import stylistic from '@stylistic/eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const maxLen = {
  '@stylistic/max-len': ['error', { code: 120, tabWidth: 2 }],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'dist.*/',
      'coverage/',
      '.ci/out/',
      'bench/results/',
      'reports/',
      '.stress/',
      '.stryker-tmp/',
      'examples/**/node_modules/',
      'examples/**/coverage/',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  comments.recommended,
  {
    plugins: { '@stylistic': stylistic },
    rules: {
      ...maxLen,
      // A disable comment says why (`-- reason`).
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      '@eslint-community/eslint-comments/disable-enable-pair': ['error', { allowWholeFile: true }],
    },
  },
  // TypeScript: type-aware rules over the tsconfig the tests type-check with.
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      // Values read from JSON documents and untyped libraries: narrowed where they are used.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  // The starter is its own project (it type-checks against the installed package): linted without types.
  {
    files: ['examples/**/*.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { project: false } },
  },
  // Tests may use `any` for hostile or partial values.
  {
    files: ['test/**/*.ts', 'contracts/**/*.ts', 'examples/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // Node scripts (the build, the benchmark) and the dashboard's browser modules.
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    files: ['**/*.mjs', 'jest*.config.js', 'examples/**/jest.config.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['jest*.config.js', 'examples/**/jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['mock/ui/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }] },
  },
);
