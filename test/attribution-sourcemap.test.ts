import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { fixture, ofType, runUnderProbe, schemaProblems, tempDir } from './helpers/probe.js';

/** Compiles the TypeScript fixture with the installed compiler, next to a copy of its source. */
function compile(inline: boolean): { js: string; tsUrl: string } {
  const dir = tempDir();
  const tsPath = join(dir, 'forecast.ts');
  copyFileSync(fixture('attribution/ts/forecast.ts'), tsPath);
  const out = ts.transpileModule(readFileSync(tsPath, 'utf8'), {
    fileName: 'forecast.ts',
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      ...(inline ? { inlineSourceMap: true } : { sourceMap: true }),
    },
  });
  const js = join(dir, 'forecast.mjs');
  if (inline) {
    writeFileSync(js, out.outputText);
  } else {
    writeFileSync(js, out.outputText.replace(/\/\/# sourceMappingURL=.*$/m, '//# sourceMappingURL=forecast.mjs.map'));
    writeFileSync(`${js}.map`, out.sourceMapText as string);
  }
  return { js, tsUrl: pathToFileURL(tsPath).href };
}

const TS_LOOP_LINE = 15;

describe('source maps', () => {
  it.each([
    ['a map file next to the script', false],
    ['an inline data: URL map', true],
  ])('frames of compiled TypeScript show the .ts file and line (%s), keeping the generated position', async (_how, inline) => {
    const { js, tsUrl } = compile(inline);
    const run = await runUnderProbe(js, { env: { STARVE_PROBE_QUIET: '1' } });
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    const block = ofType(run.events, 'block')[0]!;
    expect(block.site).toMatch(new RegExp(`^scoreRows \\(${tsUrl.replace(/[.]/g, '\\.')}:(14|15):\\d+\\)$`));
    const top = (block.stack as Array<{ url: string; line: number; generated?: { url: string; line: number } }>)
      .find((f) => f.url === tsUrl)!;
    expect([TS_LOOP_LINE - 1, TS_LOOP_LINE]).toContain(top.line);
    expect(top.generated?.url).toBe(pathToFileURL(js).href);
    expect(top.generated?.line).not.toBe(top.line);
    expect(block.kind).toBe('cpu');
    expect(block.task).toBe('async main');
  });
});
