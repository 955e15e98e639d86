/**
 * Prints plain closing lines after vitest's own summary, so CI logs carry a runner-neutral count:
 *
 *   tests: N passed, N failed, N skipped
 *   skipped for missing tools: 23 tests need socat (apt install socat), 4 need ffmpeg (apt install ffmpeg)
 *
 * The second line comes last and only when tests were skipped because a system tool is missing
 * (the notes `describeWithTools` / `itWithTools` in test/helpers/tools.ts skip them with).
 */
import type { Reporter, TestModule } from 'vitest/node';
import { parseMissingMessage, parseSkipNote } from '../helpers/tools.js';

interface Missing {
  tools: string[];
  packages: string[];
  tests: number;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const missing = new Map<string, Missing>();
    /** On CI, tools whose absence failed a test: tool → packages. */
    const failedFor = new Map<string, string[]>();
    for (const mod of testModules) {
      const failedBefore = failed;
      for (const test of mod.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') failed++;
        else skipped++;
        if (result.state === 'failed') {
          for (const e of result.errors)
            for (const m of parseMissingMessage(e.message)) failedFor.set(m.tool, m.packages);
        }
        const need = result.state === 'skipped' ? parseSkipNote(result.note) : undefined;
        if (need) {
          const key = need.tools.join(' + ');
          const entry = missing.get(key) ?? { tools: need.tools, packages: need.packages, tests: 0 };
          entry.tests += need.tests;
          missing.set(key, entry);
        }
      }
      // A file that failed with no failed test (it did not load, or a beforeAll hook threw and its
      // tests were skipped) counts as one failure: the line must never say 0 failed then.
      if (mod.state() === 'failed' && failed === failedBefore) failed++;
    }
    let out = `\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`;
    if (missing.size > 0) out += `${missingToolsLine([...missing.values()])}\n`;
    if (failedFor.size > 0) {
      const tools = [...failedFor]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([tool, packages]) => `${tool} (apt-get install ${packages.join(' ')})`);
      out += `failed for missing tools: ${tools.join(', ')}\n`;
    }
    process.stdout.write(out);
  }
}

/** `skipped for missing tools: 23 tests need socat (apt install socat), 1 needs gcc + socat (apt install gcc socat)`. */
export function missingToolsLine(groups: readonly Missing[]): string {
  const sorted = [...groups].sort(
    (a, b) => b.tests - a.tests || a.tools.join().localeCompare(b.tools.join()),
  );
  const parts = sorted.map((g, i) => {
    const noun = i === 0 ? (g.tests === 1 ? ' test' : ' tests') : '';
    const verb = g.tests === 1 ? 'needs' : 'need';
    return `${g.tests}${noun} ${verb} ${g.tools.join(' + ')} (apt install ${g.packages.join(' ')})`;
  });
  return `skipped for missing tools: ${parts.join(', ')}`;
}
