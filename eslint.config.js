import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// House rule 1, enforced: dependencies point one way. common/ is the shared contract and imports neither
// side; the web never imports the server; routes never touch SQL; services never see Fastify.
const noServer = { group: ['**/server/**', '../server/*', '../../server/*'], message: 'common/ and web/ never import server/.' };
const noWeb = { group: ['**/web/**', '../web/*', '../../web/*'], message: 'common/ and server/ never import web/.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'demo-data/**', 'data/pg/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noServer, noWeb, { group: ['node:*', 'pg', 'kysely', 'fastify', 'react'], message: 'common/ is isomorphic: no Node, DB, HTTP or DOM.' }] }],
    },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { patterns: [noServer] }] },
  },
  {
    files: ['server/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noWeb] }] },
  },
  {
    files: ['server/features/**/*.routes.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noWeb, { group: ['kysely', 'pg', '*.queries.ts', '**/db/*'], message: 'Routes call services; SQL lives in queries.' }] }],
    },
  },
  {
    files: ['server/features/**/*.service.ts', 'server/features/**/*.queries.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noWeb, { group: ['fastify', '@fastify/*', '**/http/routes.ts'], message: 'Services never see Fastify types.' }] }],
    },
  },
  {
    files: ['**/*.test.ts', 'server/test/**', 'e2e/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
