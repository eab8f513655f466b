import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', ws: 'src/ws.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: false,
  treeshake: true,
  external: ['@apollo/client', 'graphql', 'graphql-ws', 'rxjs', 'jose', 'p-queue'],
});
