// ensure-test-tools.mjs, the pretest script, as the tests see it: loaded from
// the repo (tsc does not copy it into build/), typed by its .d.mts. The tests
// that need a program take its install hint from there, so the hint that
// pretest prints and the one a failing test prints are the same line.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as EnsureTestTools from './ensure-test-tools.mjs';

const REPO = fileURLToPath(new URL('../../../', import.meta.url)); // from build/test/support/

export const ENSURE_TEST_TOOLS = path.join(REPO, 'test/support/ensure-test-tools.mjs');

export type { Decision, TestTool } from './ensure-test-tools.mjs';

export async function loadTestTools(): Promise<typeof EnsureTestTools> {
  return (await import(pathToFileURL(ENSURE_TEST_TOOLS).href)) as typeof EnsureTestTools;
}

/** The one line saying how to install `command`, a program of TEST_TOOLS. */
export async function installHint(command: string): Promise<string> {
  const tools = await loadTestTools();
  const tool = tools.TEST_TOOLS.find((t) => t.command === command);
  if (!tool) throw new Error(`${command} is no program of TEST_TOOLS (test/support/ensure-test-tools.mjs)`);
  return tools.howToInstallLine([tool]);
}
