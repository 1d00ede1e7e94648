import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import esX from 'eslint-plugin-es-x';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Code that runs in the JavaScript-only runtime of classic Outlook on Windows, which
    // before version 2403 supports only ES2016: esbuild lowers newer syntax, but not newer
    // built-ins, so those are rejected here.
    files: ['src/core/**/*.ts', 'src/addin/launchevent/**/*.ts', 'src/addin/shared/**/*.ts'],
    plugins: { 'es-x': esX },
    rules: {
      ...esX.configs['flat/restrict-to-es2016'].rules,
      // Syntax that esbuild lowers to ES2016 is fine.
      'es-x/no-async-functions': 'off',
      'es-x/no-rest-spread-properties': 'off',
      'es-x/no-optional-chaining': 'off',
      'es-x/no-nullish-coalescing-operators': 'off',
      'es-x/no-optional-catch-binding': 'off',
      'es-x/no-trailing-function-commas': 'off',
      'es-x/no-async-iteration': 'off',
      'es-x/no-class-fields': 'off',
      'es-x/no-numeric-separators': 'off',
      'es-x/no-logical-assignment-operators': 'off',
      'es-x/no-exponential-operators': 'off',
    },
  },
  prettier,
);
