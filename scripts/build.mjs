// Builds dist/: tsc for the ES modules and their types, esbuild for the two
// CommonJS entry points (the preload for --require, and the API).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});

const { build } = await import('esbuild');
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };
await build({ ...common, entryPoints: [join(root, 'src/entry-cjs.ts')], outfile: join(root, 'dist/index.cjs') });
await build({ ...common, entryPoints: [join(root, 'src/api.ts')], outfile: join(root, 'dist/api.cjs') });
// The test helper's CommonJS entry sets the watcher's location itself, so
// import.meta (absent in CommonJS) is never read there.
await build({
  ...common,
  entryPoints: [join(root, 'src/testing/entry-cjs.ts')],
  outfile: join(root, 'dist/testing/index.cjs'),
  define: { 'import.meta.url': 'undefined' },
});
rmSync(join(root, 'dist/entry-cjs.js'), { force: true });
rmSync(join(root, 'dist/entry-cjs.js.map'), { force: true });
rmSync(join(root, 'dist/entry-cjs.d.ts'), { force: true });
for (const ext of ['js', 'js.map', 'd.ts']) {
  rmSync(join(root, `dist/testing/entry-cjs.${ext}`), { force: true });
}
