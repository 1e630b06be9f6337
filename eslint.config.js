import js from '@eslint/js'
import { createNodeResolver, importX } from 'eslint-plugin-import-x'
import tseslint from 'typescript-eslint'

/**
 * The architecture's import boundaries (docs/architecture.md): contract/ is the one module the
 * widget and the proxy share; neither imports the other, and the fakes stay out of the widget.
 */
const boundary = (folder, reason) => ({ regex: `(^|/)${folder}(/|$)`, message: reason })
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] })

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
  {
    // Sources are extensionless TypeScript imports (moduleResolution Bundler): resolve them as such.
    files: ['widget/**', 'proxy/**', 'contract/**'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js'] })],
      // One lint run is one snapshot of the files: resolve each import once, however long the run.
      'import-x/cache': { lifetime: 'Infinity' },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['widget/**'],
    rules: restrict(
      boundary('proxy', 'The widget talks to the proxy over HTTP only; shared rules live in contract/.'),
      boundary('fakes', 'The fakes are for the proxy in sandbox mode and for tests, never in the bundle.'),
    ),
  },
  {
    files: ['proxy/**'],
    rules: restrict(boundary('widget', 'The proxy does not run widget code; shared rules live in contract/.')),
  },
  {
    files: ['contract/**'],
    rules: restrict(
      boundary('widget', 'contract/ is shared by both sides and depends on neither.'),
      boundary('proxy', 'contract/ is shared by both sides and depends on neither.'),
      boundary('fakes', 'contract/ is shared by both sides and depends on neither.'),
    ),
  },
  {
    // A file a newcomer can read in one sitting: split along a seam before it grows past this.
    // The fakes, tests, benchmarks and scripts are exempt (fakes mirror whole upstream APIs).
    files: ['proxy/**', 'contract/**', 'widget/**'],
    rules: { 'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }] },
  },
)
