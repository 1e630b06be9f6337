import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.flowform/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        window: 'readonly',
        document: 'readonly',
      },
    },
    rules: {
      curly: ['error', 'all'],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': ['error', { allow: ['warn', 'error', 'info'] }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The widget's components compile JSX to `h()` calls (see the pragma atop each): `h` is used.
    files: ['widget/**/*.tsx'],
    languageOptions: { parserOptions: { jsxPragma: 'h' } },
  },
  {
    files: ['test/**', 'bench/**', 'bin/**', 'proxy/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Production ↛ fakes (fakes/ is sandbox and test code). Static imports, `import type` and
    // re-exports are refused; the sandbox loads a fake with a dynamic import(), which this rule
    // leaves alone on purpose. The proxy declares what it needs of a fake in
    // proxy/upstreams/sandbox.ts. (The TypeScript variant of the rule, so that it does not replace
    // the core rule's boundary settings for the same folders.)
    files: ['proxy/**', 'widget/**', 'contract/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)fakes(/|$)',
              message:
                'Production code does not import the fakes: load one with import() in sandbox mode, and declare the types it needs in proxy/upstreams/sandbox.ts.',
            },
          ],
        },
      ],
    },
  },
)
