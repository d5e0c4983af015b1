// Types for ensure-test-tools.mjs, which stays plain JavaScript because it runs
// before the build; the tests load it from the repo (test/support/test-tools.ts).

export interface TestTool {
  readonly command: string;
  readonly neededBy: string;
  readonly debian: string;
  readonly macos: string;
  readonly overrideEnv: string | undefined;
  readonly stopsTheRun: boolean;
}

export type Decision =
  | { readonly action: 'none' }
  | { readonly action: 'install'; readonly packages: readonly string[]; readonly line: string }
  | { readonly action: 'stop' | 'warn'; readonly line: string };

export const TEST_TOOLS: readonly TestTool[];
export function onPath(command: string, pathVariable?: string): boolean;
export function missingTools(tools?: readonly TestTool[], env?: NodeJS.ProcessEnv): TestTool[];
export function howToInstallLine(tools: readonly TestTool[]): string;
export function decide(missing: readonly TestTool[], machine: { readonly isRoot: boolean; readonly hasAptGet: boolean }): Decision;
